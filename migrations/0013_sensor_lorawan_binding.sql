-- A LoRaWAN device's place at its network server: `{"network": "tts"|"chirpstack", "application",
-- "tenant"?, "deviceId"?, "devEui"?}` (packages/domain/src/registry.schema.ts). The ingest worker
-- accepts an uplink only on its own network, application (and tenant), and never writes a sensor
-- without one from a network server's topic, nor one with one from a native topic.
ALTER TABLE sensors ADD COLUMN lorawan jsonb;
