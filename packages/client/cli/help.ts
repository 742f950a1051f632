// The --help texts of isomqtt and its commands.

const CONNECTION = `Connection:
  -L, --url URL              mqtt://, mqtts://, ws://, wss:// (mqtt[s]://user:pass@host:port/topic works too)
  -h, --host HOST            broker host [localhost]
  -p, --port PORT            broker port [1883, or 8883 with TLS options]
  -u, --username NAME        user name
  -P, --password SECRET      password (never printed)
      --cafile FILE          trusted CA certificate(s), PEM (turns TLS on with -h)
      --cert FILE            client certificate, PEM
      --key FILE             client private key, PEM
      --insecure             do not verify the server certificate
  -V, --protocol-version V   3|4|5 or mqttv31|mqttv311|mqttv5 [4; 3.1 tried when 3.1.1 is refused]
  -i, --id ID                client id [generated]
  -c, --persistent-session   keep the session (clean session off); needs -i
  -k, --keepalive SECONDS    keepalive interval, 0 for none [60]
      --connect-timeout SEC  give up connecting after this long [10]
      --will-topic TOPIC     will message topic
      --will-payload TEXT    will message payload
      --will-qos 0|1|2       will message QoS [0]
      --will-retain          retain the will message
  -D, --property CMD user-property NAME VALUE
                             MQTT 5 user property on CMD (connect, publish); repeatable
      --help                 this text`

const EXIT_CODES = `Exit codes:
  0  ok
  1  usage error (unknown option, missing or invalid value)
  2  connection failed: refused by the broker, unreachable, TLS/WebSocket failure
  3  timeout: no CONNACK within --connect-timeout, or -W ran out
  4  failed after connecting: subscription refused, publish rejected, connection lost (sub and
     pub --stdin: once reconnecting gives up, e.g. refused credentials, or at once with --no-reconnect)
  5  input could not be read (--file, --stdin, TLS files)
Errors go to stderr as one line: "isomqtt: <message> (<CODE>)".`

/** Help texts by command. */
export const HELP: Record<string, string> = {
  main: `isomqtt: an MQTT 3.1 / 3.1.1 / 5.0 command line client

Usage:
  isomqtt sub -t FILTER [options]      print messages
  isomqtt pub -t TOPIC (-m MSG | --file F | --stdin | -n) [options]
  isomqtt bench pub|sub -t TOPIC [options]
  isomqtt <command> --help

${EXIT_CODES}
`,
  sub: `Usage: isomqtt sub -t FILTER [-t FILTER...] [options]

Prints each message's payload on its own line (stdout) until interrupted. A lost connection is
reconnected (with backoff, said on stderr) and the subscriptions restored, as mosquitto_sub does.
  -t, --topic FILTER         filter to subscribe to; repeatable (or the path of an mqtt:// URL)
  -q, --qos 0|1|2            requested QoS [0]
  -v, --verbose              print "topic payload"
      --json                 print one JSON object per line:
                             {"topic","qos","retain","payload"} (payload as text; "payloadBase64"
                             instead when it is not UTF-8; "userProperties" when present)
  -C, --count N              exit after N messages
  -W, --timeout SECONDS      exit with code 3 if not done after this long
      --no-reconnect         exit with code 4 when the connection is lost
      --user-property N=V    MQTT 5 user property on CONNECT; repeatable

${CONNECTION}

${EXIT_CODES}
`,
  pub: `Usage: isomqtt pub -t TOPIC (-m MESSAGE | --file FILE | --stdin | -n) [options]

  -t, --topic TOPIC          topic to publish to (or the path of an mqtt:// URL)
  -m, --message TEXT         the message
      --file FILE            the whole file as one message
      --stdin, -l            one message per line of stdin (a final line without newline too)
  -n, --null-message         an empty message
  -q, --qos 0|1|2            QoS [0]
  -r, --retain               retain the message
      --user-property N=V    MQTT 5 user property on each message; repeatable
      --no-reconnect         --stdin: exit with code 4 when the connection is lost
Exits once every message is complete (QoS 0 written, 1 PUBACK, 2 PUBCOMP). With --stdin a lost
connection is reconnected (said on stderr) and the lines read meanwhile wait in the offline queue.

${CONNECTION}

${EXIT_CODES}
`,
  bench: `Usage: isomqtt bench pub|sub -t TOPIC [options]

  bench pub: publishes N messages as fast as the connection takes them
  bench sub: subscribes and counts N messages (start it before bench pub)
A live progress line goes to stderr; the summary goes to stdout at the end.
  -t, --topic TOPIC          topic (bench sub: filter) [isomqtt/bench]
  -n, --count N              messages [100000]
  -s, --size BYTES           payload size (bench pub) [64]
  -q, --qos 0|1|2            QoS [0]
  -w, --window N             QoS 1/2 publishes in flight at most (bench pub) [1000]
  -W, --timeout SECONDS      exit with code 3 if not done after this long
      --json                 print the summary as JSON

${CONNECTION}

${EXIT_CODES}
`,
}
