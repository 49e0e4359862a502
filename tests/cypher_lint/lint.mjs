// Lint Cypher texts with Neo4j's language support library.
// stdin: a JSON array of query strings; stdout: a JSON array with, per query,
// the diagnostics of severity "error" (1) as {message, offset}.
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const queries = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const results = queries.map((query) => {
  const parameters = {};
  for (const match of query.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    parameters[match[1]] = null;
  }
  const { diagnostics } = lintCypherQuery(query, { parameters });
  return diagnostics
    .filter((d) => d.severity === 1)
    .map((d) => ({ message: d.message, offset: d.offsets.start }));
});
process.stdout.write(JSON.stringify(results));
