// Parse Mermaid text from stdin with the real Mermaid parser and print what it understood as
// JSON: the diagram type, the config any directive set, the nodes (id, label) and the edges.
// Used by tests/test_output_safety.py to prove labels cannot break or re-theme the diagram.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

let input = "";
for await (const chunk of process.stdin) input += chunk;
try {
  const parsed = await mermaid.parse(input);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(input);
  const vertices = diagram.db.getVertices();
  const nodes = [...(vertices instanceof Map ? vertices.values() : Object.values(vertices))]
    .map((n) => ({ id: n.id, text: n.text }));
  const edges = diagram.db.getEdges().map((e) => [e.start, e.end]);
  const subgraphs = diagram.db.getSubGraphs().map((s) => ({ id: s.id, nodes: s.nodes }));
  console.log(JSON.stringify({ ok: true, type: parsed.diagramType, config: parsed.config ?? {},
                               nodes, edges, subgraphs }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error.message || error) }));
}
