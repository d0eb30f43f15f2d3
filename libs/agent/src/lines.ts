// Splits a text stream (chunks in any sizes, e.g. a Readable with setEncoding('utf8')) into lines
// without holding more than `maxChars` of one line: a longer line is skipped up to its newline and
// yielded as OVERSIZED_LINE (reported as a bad line), so one runaway line cannot exhaust memory.
import { OVERSIZED_LINE, type InputLine } from './agent.js';
import { EVENT_LIMITS } from './event.js';

export async function* splitLines(chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>, maxChars: number = EVENT_LIMITS.maxLineChars): AsyncGenerator<InputLine> {
  let partial = '';
  let oversized = false;
  const decoder = new TextDecoder('utf-8'); // streaming: a character split across two Buffers is kept whole
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) {
        if (!oversized) {
          partial += text.slice(from);
          if (partial.length > maxChars) {
            oversized = true;
            partial = '';
          }
        }
        break;
      }
      if (oversized || partial.length + (nl - from) > maxChars) {
        yield OVERSIZED_LINE;
      } else {
        yield partial + text.slice(from, nl);
      }
      partial = '';
      oversized = false;
      from = nl + 1;
    }
  }
  if (oversized) yield OVERSIZED_LINE;
  else if (partial.length > 0) yield partial;
}
