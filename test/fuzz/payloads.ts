import fc from 'fast-check';

const encoder = new TextEncoder();
const utf8 = (text: string) => encoder.encode(text);
const json = (value: unknown) => utf8(JSON.stringify(value) ?? 'null');

/** Valid sensor ids, and the strings around them that a topic level can carry. */
export const sensorIdArb = fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/);
export const topicLevelArb = fc.oneof(
  { weight: 4, arbitrary: sensorIdArb },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }).filter((s) => !/[/+#]/.test(s) && !s.includes('\u0000')) },
  { weight: 1, arbitrary: fc.constantFrom('', '.', '..', 'x'.repeat(65), 'ÄÖÜ', '__proto__', 'constructor', '0'.repeat(64)) },
);

/** Fills every `+` of an MQTT topic filter with a generated level. */
export function topicFromFilter(filter: string): fc.Arbitrary<string> {
  const levels = filter.split('/');
  return fc.tuple(...levels.map((level) => (level === '+' ? topicLevelArb : fc.constant(level)))).map((parts) => parts.join('/'));
}

const timeValue = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.getTime()),
  fc.string({ maxLength: 30 }),
  fc.double(),
  fc.constantFrom('2026-11-27T10:00:00Z', '2026-11-27T10:00:00+01:00', '2026-13-45T99:99:99Z', 'now', -1, 0, 1e20, null),
);
const scalar = fc.oneof(fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 20 }), fc.constant(null));
const fieldValue = fc.oneof(scalar, fc.constantFrom('occupied', 'free', 'OCCUPIED', 'busy', 'vacant', 1, 0), fc.anything({ maxDepth: 2 }));
const decodedFieldName = fc.oneof(
  fc.constantFrom('occupied', 'parking_status', 'status', 'presence', 'battery', 'battery_voltage', 'vbat', 'temperature', 'heartbeat'),
  fc.string({ maxLength: 12 }),
);
const decodedObject = fc.dictionary(decodedFieldName, fieldValue, { maxKeys: 6 });

const bayLike = fc.record(
  {
    occupied: fc.oneof(fc.boolean(), scalar),
    ts: timeValue,
    seq: fc.oneof(fc.integer(), scalar),
    battery: scalar,
    rssi: scalar,
    heartbeat: scalar,
  },
  { requiredKeys: [] },
);
const counterLike = fc.record(
  {
    vehicles: fc.oneof(fc.nat(5000), scalar),
    entered: fc.oneof(fc.nat(), scalar),
    exited: fc.oneof(fc.nat(), scalar),
    ts: timeValue,
    seq: scalar,
  },
  { requiredKeys: [] },
);
const ttsLike = fc.record(
  {
    end_device_ids: fc.record({ device_id: fc.oneof(sensorIdArb, fc.string()), dev_eui: fc.string() }, { requiredKeys: [] }),
    received_at: timeValue,
    uplink_message: fc.record(
      {
        f_cnt: fc.oneof(fc.nat(), scalar),
        decoded_payload: fc.oneof(decodedObject, scalar),
        rx_metadata: fc.array(fc.record({ rssi: scalar, channel_rssi: scalar }, { requiredKeys: [] }), { maxLength: 3 }),
        received_at: timeValue,
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);
const chirpstackLike = fc.record(
  {
    time: timeValue,
    deviceInfo: fc.record({ devEui: fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{16}$/), fc.string()) }, { requiredKeys: [] }),
    fCnt: fc.oneof(fc.nat(), scalar),
    object: fc.oneof(decodedObject, scalar),
    rxInfo: fc.array(fc.record({ rssi: scalar }, { requiredKeys: [] }), { maxLength: 3 }),
    margin: scalar,
    batteryLevel: scalar,
    batteryLevelUnavailable: scalar,
  },
  { requiredKeys: [] },
);

// Well-formed payloads with extreme but type-correct values: they reach the accepted path, where
// every value must still fit the database (a value that cannot be stored would poison a batch).
const extremeNumber = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(fc.integer({ min: -150, max: 150 }), fc.double({ min: -150, max: 150, noNaN: true })) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e300, -1e300, 2 ** 53, 2 ** 63, 1e-300, 2 ** 31, 40_000) },
);
const extremeTime = fc.oneof(
  fc
    .date({ noInvalidDate: true, min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z') })
    .map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.getTime()),
  fc.constantFrom('0001-01-01T00:00:00Z', '-004713-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', -8.64e15, 8.64e15),
);
const validBay = fc.record(
  {
    occupied: fc.boolean(),
    ts: extremeTime,
    seq: fc.oneof(fc.nat(), extremeNumber),
    battery: extremeNumber,
    rssi: extremeNumber,
    heartbeat: fc.boolean(),
  },
  { requiredKeys: ['occupied'] },
);
const typicalBay = fc.record(
  {
    occupied: fc.boolean(),
    ts: fc
      .date({ noInvalidDate: true, min: new Date('2001-01-01T00:00:00Z'), max: new Date('2099-01-01T00:00:00Z') })
      .map((d) => d.toISOString()),
    seq: fc.nat(),
    battery: fc.double({ min: 0, max: 5, noNaN: true }),
    rssi: fc.integer({ min: -140, max: 0 }),
    heartbeat: fc.boolean(),
  },
  { requiredKeys: ['occupied'] },
);
const validCounter = fc.record(
  { vehicles: extremeNumber, entered: extremeNumber, exited: extremeNumber, ts: extremeTime, seq: extremeNumber },
  { requiredKeys: [] },
);
const validDecoded = fc.record(
  {
    occupied: fc.boolean(),
    parking_status: fc.constantFrom('occupied', 'free', 1, 0),
    battery_voltage: extremeNumber,
    battery: extremeNumber,
    temperature: extremeNumber,
    heartbeat: fc.boolean(),
  },
  { requiredKeys: [] },
);
const validTts = fc.record({
  received_at: extremeTime,
  uplink_message: fc.record(
    {
      f_cnt: fc.oneof(fc.nat(), extremeNumber),
      decoded_payload: validDecoded,
      rx_metadata: fc.array(fc.record({ rssi: extremeNumber }), { maxLength: 2 }),
      received_at: extremeTime,
    },
    { requiredKeys: ['decoded_payload'] },
  ),
});
const validChirpstack = fc.record(
  {
    time: extremeTime,
    fCnt: fc.oneof(fc.nat(), extremeNumber),
    object: validDecoded,
    rxInfo: fc.array(fc.record({ rssi: extremeNumber }), { maxLength: 2 }),
    margin: extremeNumber,
    batteryLevel: extremeNumber,
  },
  { requiredKeys: [] },
);

/** Payload bytes: random bytes, any JSON, near-valid payloads of every supported shape, and nasty edge cases. */
export const payloadArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }).map(utf8) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }).map(json) },
  { weight: 4, arbitrary: bayLike.map(json) },
  { weight: 2, arbitrary: counterLike.map(json) },
  { weight: 2, arbitrary: ttsLike.map(json) },
  { weight: 2, arbitrary: chirpstackLike.map(json) },
  { weight: 3, arbitrary: validBay.map(json) },
  { weight: 3, arbitrary: typicalBay.map(json) },
  { weight: 2, arbitrary: validCounter.map(json) },
  { weight: 2, arbitrary: validTts.map(json) },
  { weight: 2, arbitrary: validChirpstack.map(json) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      utf8('{"occupied":true,"__proto__":{"polluted":1}}'),
      utf8('{"constructor":{"prototype":{"x":1}},"occupied":false}'),
      utf8(`${'['.repeat(2000)}${']'.repeat(2000)}`),
      utf8(`{"occupied":true,"pad":"${'x'.repeat(4100)}"}`),
      utf8('\uFEFF{"occupied":true}'),
      utf8('{"occupied":true}\u0000'),
      new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]),
      new Uint8Array([0xc3, 0x28]),
      utf8('{"occupied":1e999}'),
      utf8('NaN'),
      new Uint8Array(0),
    ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 4090, maxLength: 4200 }) },
);

/** The instant a message is received: any valid date. */
export const receivedAtArb = fc.date({ noInvalidDate: true, min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z') });
