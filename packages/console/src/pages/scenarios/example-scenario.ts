// The scenario the editor starts with: the smallest useful one, which any bot that answers passes.
// Its first line points editors that read it (VS Code's YAML extension) at this server's schema.
export function exampleScenario(origin: string): string {
  return `# yaml-language-server: $schema=${origin}/openapi/scenario.schema.json
name: A buyer asks about the sofa
timeout: 10s
world:
  items:
    sofa:
      title: Диван угловой
      price: "15 000 ₽"
buyers:
  - name: Анна
    item: sofa
    steps:
      - say: Здравствуйте! Диван ещё продаётся?
      - expect:
          reply: {}
          within: 10s
`;
}
