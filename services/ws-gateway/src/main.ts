import { runService } from '@warren/shared/service';
import { loadConfig } from './config.ts';
import { startWsGatewayService } from './ws-gateway-service.ts';

await runService({ name: 'ws-gateway', loadConfig, start: startWsGatewayService }, process.env);
