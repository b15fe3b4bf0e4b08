import { definedErrors, WarrenError } from '@warren/shared/errors';
import { expect } from 'chai';
import { WsGatewayErrors } from '../src/errors.ts';

describe('WsGatewayErrors', () => {
  it('defines the codes refused upgrades answer with, with their statuses', () => {
    expect(WsGatewayErrors.originNotAllowed).to.include({ code: 'ORIGIN_NOT_ALLOWED', status: 403 });
    expect(WsGatewayErrors.shuttingDown).to.include({ code: 'SHUTTING_DOWN', status: 503 });
  });

  it('registers every code in the shared registry', () => {
    for (const error of Object.values(WsGatewayErrors)) {
      const instance = new error();
      expect(instance).to.be.instanceOf(WarrenError);
      expect(definedErrors().get(error.code)).to.deep.equal({ status: error.status, title: instance.title });
    }
  });

  it('keeps the detail and the cause it is given', () => {
    const cause = new Error('stopping');
    const error = new WsGatewayErrors.shuttingDown('connect again', { cause });
    expect(error).to.include({ code: 'SHUTTING_DOWN', status: 503, title: 'Shutting down', message: 'connect again' });
    expect(error.cause).to.equal(cause);
  });
});
