// An incremental parser for server-sent events: feed it decoded chunks as they
// arrive, get back the `data` payload of every event completed so far. Events
// may be split anywhere, even inside a line ending.

export class SseParser {
  private buffer = "";
  private data: string[] = [];

  /** Parse a chunk; return the data of each event it completed. */
  push(chunk: string): string[] {
    this.buffer += chunk;
    const events: string[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone "\r" at the very end may be the first half of "\r\n": wait for more.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event !== null) events.push(event);
    }
    return events;
  }

  /** Whether a partial event is still waiting for its blank line. */
  get pending(): boolean {
    return this.buffer.length > 0 || this.data.length > 0;
  }

  private line(line: string): string | null {
    if (line === "") {
      if (this.data.length === 0) return null;
      const event = this.data.join("\n");
      this.data = [];
      return event;
    }
    if (line.startsWith(":")) return null; // a comment (keep-alive)
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    return null; // event, id and retry fields are not used by this API
  }
}
