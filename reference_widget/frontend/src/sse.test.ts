import { describe, expect, it } from "vitest";
import { SseParser } from "./sse";

describe("SseParser", () => {
  it("returns the data of each complete event", () => {
    const parser = new SseParser();
    expect(parser.push('data: {"type":"ack"}\n\ndata: {"type":"token"}\n\n')).toEqual(['{"type":"ack"}', '{"type":"token"}']);
    expect(parser.pending).toBe(false);
  });

  it("waits for the blank line, wherever a chunk ends", () => {
    const parser = new SseParser();
    const text = 'data: {"a":1}\r\n\r\ndata: {"b":2}\n\n';
    const events: string[] = [];
    for (const char of text) events.push(...parser.push(char));
    expect(events).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("keeps a partial event pending", () => {
    const parser = new SseParser();
    expect(parser.push('data: {"a":1}\n')).toEqual([]);
    expect(parser.pending).toBe(true);
  });

  it("joins multi-line data and ignores comments and other fields", () => {
    const parser = new SseParser();
    expect(parser.push(": keep-alive\nevent: message\nid: 3\ndata: one\ndata:two\n\n")).toEqual(["one\ntwo"]);
  });

  it("treats a lone CR as a line end once the next chunk shows it is not CRLF", () => {
    const parser = new SseParser();
    expect(parser.push("data: x\r")).toEqual([]);
    expect(parser.push("\r")).toEqual([]);
    expect(parser.push("data: y\n\n")).toEqual(["x", "y"]);
  });
});
