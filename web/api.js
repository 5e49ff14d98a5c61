// Renders the OpenAPI document of /api/v1/openapi.json as a readable page: operations grouped
// by tag with their parameters, bodies and responses, then every schema with its fields.

import { $, api, h } from '/lib.js';

function refName(ref) {
  return ref.split('/').pop();
}

// A short type label: `Draft`, `array of Product`, `string`.
function typeOf(schema) {
  if (!schema) return '';
  if (schema.$ref) return refName(schema.$ref);
  if (schema.oneOf) return schema.oneOf.map(typeOf).join(' or ');
  if (schema.allOf) return schema.allOf.map(typeOf).join(' & ');
  if (schema.type === 'array') return `array of ${typeOf(schema.items)}`;
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  if (schema.enum) return `one of ${schema.enum.join(', ')}`;
  return schema.format ? `${schema.type} (${schema.format})` : (schema.type ?? 'any');
}

function schemaLink(schema) {
  const label = typeOf(schema);
  const ref = schema?.$ref ?? schema?.items?.$ref;
  return ref ? h('a', { href: `#schema-${refName(ref)}`, textContent: label }) : h('code', { textContent: label });
}

function renderOperation(path, method, operation) {
  const card = h('section', { className: 'card api-operation', id: operation.operationId ?? `${method}-${path}` });
  card.append(h('h3', {}, h('span', { className: `method method-${method}`, textContent: method.toUpperCase() }), ' ', h('code', { textContent: path })));
  if (operation.description || operation.summary) card.append(h('p', { className: 'hint', textContent: operation.description ?? operation.summary }));
  if (operation.security?.length) {
    card.append(h('p', { className: 'hint', textContent: `Auth: ${operation.security.map((s) => Object.keys(s).join(', ')).join(' or ')}` }));
  }
  if (operation.parameters?.length) {
    const list = h('ul');
    for (const parameter of operation.parameters) {
      list.append(h('li', {}, h('code', { textContent: parameter.name }), ` (${parameter.in}${parameter.required ? ', required' : ''}): `, schemaLink(parameter.schema), parameter.description ? ` — ${parameter.description}` : ''));
    }
    card.append(h('h4', { textContent: 'Parameters' }), list);
  }
  const body = operation.requestBody;
  if (body) {
    const [type, media] = Object.entries(body.content ?? {})[0] ?? [];
    card.append(h('h4', { textContent: 'Request body' }), h('p', {}, h('code', { textContent: type ?? '' }), ' ', media ? schemaLink(media.schema) : '', body.description ? ` — ${body.description}` : ''));
  }
  const responses = h('ul');
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    const media = Object.values(response.content ?? {})[0];
    responses.append(h('li', {}, h('strong', { textContent: status }), ` ${response.description ?? ''} `, media ? schemaLink(media.schema) : ''));
  }
  card.append(h('h4', { textContent: 'Responses' }), responses);
  return card;
}

function renderSchema(name, schema) {
  const block = h('div', { className: 'api-schema', id: `schema-${name}` }, h('h3', { textContent: name }));
  if (schema.description) block.append(h('p', { className: 'hint', textContent: schema.description }));
  if (schema.enum) block.append(h('p', {}, `One of: ${schema.enum.join(', ')}`));
  if (schema.oneOf) block.append(h('p', {}, `One of: ${schema.oneOf.map((s) => s.enum?.join(', ') ?? typeOf(s)).join(', ')}`));
  if (schema.properties) {
    const required = new Set(schema.required ?? []);
    const list = h('ul');
    for (const [field, property] of Object.entries(schema.properties)) {
      list.append(h('li', {}, h('code', { textContent: field }), required.has(field) ? '' : ' (optional)', ': ', schemaLink(property), property.description ? ` — ${property.description}` : ''));
    }
    block.append(list);
  }
  return block;
}

async function main() {
  let doc;
  try {
    doc = await api('/api/v1/openapi.json');
  } catch (error) {
    $('api-title').textContent = `The API description could not be loaded: ${error.message}`;
    return;
  }
  $('api-title').textContent = `${doc.info.title} (version ${doc.info.version}, OpenAPI ${doc.openapi})`;
  $('api-description').textContent = doc.info.description ?? '';
  const byTag = new Map((doc.tags ?? []).map((tag) => [tag.name, { tag, operations: [] }]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const tag = operation.tags?.[0] ?? 'other';
      if (!byTag.has(tag)) byTag.set(tag, { tag: { name: tag }, operations: [] });
      byTag.get(tag).operations.push(renderOperation(path, method, operation));
    }
  }
  for (const { tag, operations } of byTag.values()) {
    $('api-operations').append(h('h2', { className: 'api-tag', textContent: tag.name }), tag.description ? h('p', { className: 'hint', textContent: tag.description }) : null, ...operations);
  }
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    $('api-schemas').append(renderSchema(name, schema));
  }
  document.body.dataset.state = 'ready';
}

main();
