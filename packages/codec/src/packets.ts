// The packet union: one interface per MQTT control packet, discriminated on `type`.
// Fields follow MQTT 5.0; a field that an older version cannot carry is ignored when encoding for it.

/** Quality of service: 0 at most once, 1 at least once, 2 exactly once. */
export type QoS = 0 | 1 | 2

/** 3 = MQTT 3.1 ("MQIsdp"), 4 = MQTT 3.1.1, 5 = MQTT 5.0. */
export type ProtocolVersion = 3 | 4 | 5

/** A User Property: a name/value pair; order and repetition are significant. */
export type UserProperty = [name: string, value: string]

/** Properties of CONNECT (MQTT 5 §3.1.2.11). */
export interface ConnectProperties {
  sessionExpiryInterval?: number
  receiveMaximum?: number
  maximumPacketSize?: number
  topicAliasMaximum?: number
  requestResponseInformation?: boolean
  requestProblemInformation?: boolean
  userProperties?: UserProperty[]
  authenticationMethod?: string
  authenticationData?: Uint8Array
}

/** Will Properties carried in the CONNECT payload (MQTT 5 §3.1.3.2). */
export interface WillProperties {
  willDelayInterval?: number
  payloadFormatIndicator?: boolean
  messageExpiryInterval?: number
  contentType?: string
  responseTopic?: string
  correlationData?: Uint8Array
  userProperties?: UserProperty[]
}

/** Properties of CONNACK (MQTT 5 §3.2.2.3). */
export interface ConnackProperties {
  sessionExpiryInterval?: number
  receiveMaximum?: number
  maximumQoS?: 0 | 1
  retainAvailable?: boolean
  maximumPacketSize?: number
  assignedClientIdentifier?: string
  topicAliasMaximum?: number
  reasonString?: string
  userProperties?: UserProperty[]
  wildcardSubscriptionAvailable?: boolean
  subscriptionIdentifiersAvailable?: boolean
  sharedSubscriptionAvailable?: boolean
  serverKeepAlive?: number
  responseInformation?: string
  serverReference?: string
  authenticationMethod?: string
  authenticationData?: Uint8Array
}

/** Properties of PUBLISH (MQTT 5 §3.3.2.3). */
export interface PublishProperties {
  payloadFormatIndicator?: boolean
  messageExpiryInterval?: number
  topicAlias?: number
  responseTopic?: string
  correlationData?: Uint8Array
  userProperties?: UserProperty[]
  /** Only from server to client; may repeat. */
  subscriptionIdentifiers?: number[]
  contentType?: string
}

/** Properties of PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and UNSUBACK. */
export interface AckProperties {
  reasonString?: string
  userProperties?: UserProperty[]
}

/** Properties of SUBSCRIBE (MQTT 5 §3.8.2.1). */
export interface SubscribeProperties {
  /** At most one on SUBSCRIBE, 1..268,435,455. */
  subscriptionIdentifier?: number
  userProperties?: UserProperty[]
}

/** Properties of UNSUBSCRIBE (MQTT 5 §3.10.2.1). */
export interface UnsubscribeProperties {
  userProperties?: UserProperty[]
}

/** Properties of DISCONNECT (MQTT 5 §3.14.2.2). */
export interface DisconnectProperties {
  sessionExpiryInterval?: number
  reasonString?: string
  userProperties?: UserProperty[]
  serverReference?: string
}

/** Properties of AUTH (MQTT 5 §3.15.2.2). */
export interface AuthProperties {
  authenticationMethod?: string
  authenticationData?: Uint8Array
  reasonString?: string
  userProperties?: UserProperty[]
}

/** The Will Message a CONNECT carries. */
export interface Will {
  topic: string
  payload: Uint8Array
  qos: QoS
  retain: boolean
  properties?: WillProperties
}

/** CONNECT: the first packet from client to server. The protocol version is `encode`'s argument. */
export interface ConnectPacket {
  type: 'connect'
  /** Set by the parser from the packet; ignored by `encode`, which takes the version as an argument. */
  protocolVersion?: ProtocolVersion
  clientId: string
  /** Clean Session (3.1.x) / Clean Start (5.0). */
  clean: boolean
  /** Seconds; 0 turns keepalive off. */
  keepalive: number
  username?: string
  /** Binary in 3.1.1 and 5.0; a secret: never trace it. */
  password?: Uint8Array
  will?: Will
  properties?: ConnectProperties
}

/** CONNACK: the server's answer to CONNECT. */
export interface ConnackPacket {
  type: 'connack'
  sessionPresent: boolean
  /** 3.1 / 3.1.1: the connect return code; 5.0: the reason code. */
  reasonCode: number
  properties?: ConnackProperties
}

/** PUBLISH: an application message. */
export interface PublishPacket {
  type: 'publish'
  /** May be '' in MQTT 5 when a Topic Alias stands for it. */
  topic: string
  /** A view into the received bytes when parsed (see Parser): copy it to keep it past the chunk's life. */
  payload: Uint8Array
  qos: QoS
  retain: boolean
  dup: boolean
  /** Present exactly when qos > 0. */
  packetId?: number
  properties?: PublishProperties
  /** Set by a Parser with `skipOversizedPublish` on a PUBLISH above its maxPacketSize: its size (the payload was not read). */
  oversized?: number
}

/** PUBACK: QoS 1 acknowledgement. */
export interface PubackPacket { type: 'puback'; packetId: number; reasonCode?: number; properties?: AckProperties }
/** PUBREC: QoS 2, first acknowledgement. */
export interface PubrecPacket { type: 'pubrec'; packetId: number; reasonCode?: number; properties?: AckProperties }
/** PUBREL: QoS 2 release. */
export interface PubrelPacket { type: 'pubrel'; packetId: number; reasonCode?: number; properties?: AckProperties }
/** PUBCOMP: QoS 2 completion. */
export interface PubcompPacket { type: 'pubcomp'; packetId: number; reasonCode?: number; properties?: AckProperties }

/** RETAIN handling option of a subscription (MQTT 5 §3.8.3.1). */
export type RetainHandling = 0 | 1 | 2

/** One topic filter of a SUBSCRIBE with its options. */
export interface Subscription {
  filter: string
  qos: QoS
  noLocal?: boolean
  retainAsPublished?: boolean
  retainHandling?: RetainHandling
}

/** SUBSCRIBE: one or more topic filters. */
export interface SubscribePacket {
  type: 'subscribe'
  packetId: number
  subscriptions: Subscription[]
  properties?: SubscribeProperties
}

/** SUBACK: one reason code (3.1.x: granted QoS or 0x80) per filter, in order. */
export interface SubackPacket { type: 'suback'; packetId: number; reasonCodes: number[]; properties?: AckProperties }

/** UNSUBSCRIBE: one or more topic filters. */
export interface UnsubscribePacket {
  type: 'unsubscribe'
  packetId: number
  filters: string[]
  properties?: UnsubscribeProperties
}

/** UNSUBACK: reason codes only in MQTT 5. */
export interface UnsubackPacket { type: 'unsuback'; packetId: number; reasonCodes?: number[]; properties?: AckProperties }

/** PINGREQ: keepalive probe. */
export interface PingreqPacket { type: 'pingreq' }
/** PINGRESP: keepalive answer. */
export interface PingrespPacket { type: 'pingresp' }

/** DISCONNECT: either side (server-sent only in MQTT 5). */
export interface DisconnectPacket { type: 'disconnect'; reasonCode?: number; properties?: DisconnectProperties }

/** AUTH: MQTT 5 enhanced authentication exchange. */
export interface AuthPacket { type: 'auth'; reasonCode?: number; properties?: AuthProperties }

/** Every MQTT control packet. */
export type Packet =
  | ConnectPacket | ConnackPacket | PublishPacket | PubackPacket | PubrecPacket | PubrelPacket
  | PubcompPacket | SubscribePacket | SubackPacket | UnsubscribePacket | UnsubackPacket
  | PingreqPacket | PingrespPacket | DisconnectPacket | AuthPacket

/** The `type` discriminator of a packet. */
export type PacketType = Packet['type']
