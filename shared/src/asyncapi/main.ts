/** `npm run asyncapi`: writes Warren's AsyncAPI document to `docs/asyncapi.yaml`. */
import { writeFileSync } from 'node:fs';
import { ASYNCAPI_PATH, asyncApiYaml } from './asyncapi-document.ts';

writeFileSync(ASYNCAPI_PATH, asyncApiYaml());
console.log(`wrote ${ASYNCAPI_PATH}`);
