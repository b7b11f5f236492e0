import { offerStream } from './offer/offer.events.js';
import { privacyRequestStream } from './privacy-request/privacy-request.js';
import { publisherStream } from './publisher/publisher.events.js';
import { registrationCodeStream } from './registration-code/registration-code.js';

/**
 * The prefixes of every stream the ledger writes, taken from the stream
 * name functions themselves. On KurrentDB the ledger's log is `$all`
 * filtered on these on the server: a stream kind missing here would be
 * written but never projected. Add each new aggregate's stream here
 * (test/events/ledger-streams.test.ts checks what the services write).
 */
export const LEDGER_STREAM_PREFIXES: readonly string[] = [publisherStream(''), offerStream(''), privacyRequestStream(''), registrationCodeStream('')];
