import mqtt from 'mqtt';

// Runs as a child process: counts QoS 1 messages on the bay topics, reports over IPC. The broker
// ceiling: what a subscriber that does nothing but acknowledge at once can take.
if (process.send) {
  const url = process.argv[2] ?? '';
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, clean: true });
  let count = 0;
  client.on('message', () => {
    count += 1;
  });
  await client.subscribeAsync('parking/v1/bays/+', { qos: 1 });
  process.send({ type: 'ready' });
  const timer = setInterval(() => {
    if (process.connected) process.send?.({ type: 'count', count });
  }, 250);
  process.on('disconnect', () => process.exit(0));
  process.on('message', () => {
    clearInterval(timer);
    void client.endAsync().then(() => process.disconnect());
  });
}
