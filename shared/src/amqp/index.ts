export { AmqpClient, type AmqpClientEvents, type AmqpClientOptions, type Attachment } from './amqp-client.ts';
export {
  brokerUrlsProblem,
  NodeRotation,
  splitBrokerUrls,
  userOfUrl,
  vhostOfUrl,
} from './broker-urls.ts';
export { Consumer, type ConsumerEvents, type ConsumerOptions, type Delivery } from './consumer.ts';
export { declareDeploymentTopology, declareExchange, declareQueue } from './declare.ts';
export {
  Publisher,
  type PublisherEvents,
  type PublisherOptions,
  type PublishOptions,
  type PublishResult,
} from './publisher.ts';
export { type ReconnectDelayOptions, reconnectDelay } from './reconnect-delay.ts';
export * from './topology.ts';
