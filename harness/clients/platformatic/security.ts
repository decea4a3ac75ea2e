// The cluster's TLS and SASL as @platformatic/kafka's connection options (`tls`: node:tls's
// connect options; `sasl`: the mechanism in Kafka's spelling), shared by its producers, consumers,
// admin and the harness's raw fetches. Pure.
import { type ClientSecurity, kafkaMechanismName, tlsConnectOptions } from "../../protocol/security.ts";

export function platformaticSecurity(security: ClientSecurity | undefined) {
  return {
    ...(security?.tls ? { tls: tlsConnectOptions(security.tls) } : {}),
    ...(security?.sasl
      ? {
          sasl: {
            mechanism: kafkaMechanismName(security.sasl.mechanism),
            username: security.sasl.username,
            password: security.sasl.password,
          },
        }
      : {}),
  };
}
