import { expect } from 'chai';
import { redactUrl, redactUrlList } from '../src/url.ts';

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('amqp://warren:s3cret@broker:5672/warren')).to.equal('amqp://warren:***@broker:5672/warren');
    expect(redactUrl('postgres://app:p%40ss@db.example:5432/warren?sslmode=require')).to.equal(
      'postgres://app:***@db.example:5432/warren?sslmode=require',
    );
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/warren')).to.equal(
      'postgres://postgres@127.0.0.1:5432/warren',
    );
    expect(redactUrl('http://127.0.0.1:3001')).to.equal('http://127.0.0.1:3001/');
  });

  it('never echoes what it cannot parse, which may be a secret', () => {
    expect(redactUrl('hunter2')).to.equal('(unparseable URL)');
  });
});

describe('redactUrlList', () => {
  it('hides the password of every URL of a comma-separated list', () => {
    expect(redactUrlList('amqp://u:a@rabbit-1/warren, amqp://u:b@rabbit-2/warren')).to.equal(
      'amqp://u:***@rabbit-1/warren,amqp://u:***@rabbit-2/warren',
    );
    expect(redactUrlList(['amqp://u:a@rabbit-1/warren', 'hunter2'])).to.equal(
      'amqp://u:***@rabbit-1/warren,(unparseable URL)',
    );
  });
});
