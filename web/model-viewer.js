// A small WebGL2 turntable for a booth's product model (a GLB file): reads the GLB container
// (JSON chunk + BIN chunk), the triangle primitives of the default scene (POSITION, NORMAL,
// COLOR_0, TEXCOORD_0, indices) with their node transforms, and each material's base colour
// factor and embedded base colour texture; draws them with one simple lit shader. Drag (or the
// arrow keys) turns the model, the wheel, a pinch or + and - zoom, Home puts it back. It draws
// only when something changed, so an idle panel costs nothing. Loaded by panel-media.js only
// when a booth has a model.

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;
const TRIANGLES = 4;
const COMPONENTS = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4 };
const COMPONENT_TYPES = {
  5120: [Int8Array, 127], 5121: [Uint8Array, 255], 5122: [Int16Array, 32767],
  5123: [Uint16Array, 65535], 5125: [Uint32Array, 0], 5126: [Float32Array, 0],
};
/** How far the camera stands, in model radii, at zoom 1; and the zoom range. */
const VIEW_DISTANCE = 2.6;
const ZOOM_MIN = 0.5;
const ZOOM_MAX = 3;
/** Radians turned per CSS pixel dragged, and per arrow key press. */
const TURN_PER_PIXEL = 0.01;
const TURN_PER_KEY = Math.PI / 12;
const TILT_LIMIT = 1.2;

/** The model could not be shown: `message` is a sentence for the visitor. */
export class ModelError extends Error {
  name = 'ModelError';
}

// ---- The GLB container and its accessors ----

/** Splits a GLB file into its glTF JSON and its binary chunk (checking every length). */
export function parseGlb(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength < 20 || view.getUint32(0, true) !== GLB_MAGIC) throw new ModelError('The file is not a GLB model.');
  if (view.getUint32(4, true) !== 2) throw new ModelError('The model is not glTF 2.0.');
  const length = Math.min(view.getUint32(8, true), buffer.byteLength);
  let json = null;
  let bin = null;
  for (let offset = 12; offset + 8 <= length;) {
    const chunkLength = view.getUint32(offset, true);
    const type = view.getUint32(offset + 4, true);
    const start = offset + 8;
    if (start + chunkLength > length) throw new ModelError('The model file is cut short.');
    if (type === CHUNK_JSON && !json) json = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, start, chunkLength)));
    else if (type === CHUNK_BIN && !bin) bin = new Uint8Array(buffer, start, chunkLength);
    offset = start + chunkLength + ((4 - (chunkLength % 4)) % 4);
  }
  if (!json) throw new ModelError('The model has no glTF description.');
  return { json, bin: bin ?? new Uint8Array(0) };
}

/** The bytes of buffer view `index` (only the GLB's own binary chunk is read). */
function bufferViewBytes(gltf, index) {
  const bufferView = gltf.json.bufferViews?.[index];
  if (!bufferView || (bufferView.buffer ?? 0) !== 0) throw new ModelError('The model refers to data outside the file.');
  const start = bufferView.byteOffset ?? 0;
  if (start + bufferView.byteLength > gltf.bin.byteLength) throw new ModelError('The model\'s data runs past its end.');
  return { bytes: gltf.bin.subarray(start, start + bufferView.byteLength), stride: bufferView.byteStride ?? 0 };
}

/**
 * Reads accessor `index` into a Float32Array (or, with `integers`, a Uint32Array) of
 * `count * components` values, normalising integer colours and coordinates as glTF says.
 */
function readAccessor(gltf, index, { integers = false } = {}) {
  const accessor = gltf.json.accessors?.[index];
  const components = COMPONENTS[accessor?.type];
  const [Type, max] = COMPONENT_TYPES[accessor?.componentType] ?? [];
  if (!accessor || !components || !Type) throw new ModelError('The model has an accessor this viewer cannot read.');
  const out = new (integers ? Uint32Array : Float32Array)(accessor.count * components);
  if (accessor.bufferView === undefined) return out; // all zeros, as the specification says
  const { bytes, stride } = bufferViewBytes(gltf, accessor.bufferView);
  const elementSize = components * Type.BYTES_PER_ELEMENT;
  const step = stride || elementSize;
  const offset = accessor.byteOffset ?? 0;
  if (accessor.count > 0 && offset + step * (accessor.count - 1) + elementSize > bytes.byteLength) {
    throw new ModelError('The model\'s accessor runs past its data.');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const getter = {
    Int8Array: (at) => view.getInt8(at), Uint8Array: (at) => view.getUint8(at),
    Int16Array: (at) => view.getInt16(at, true), Uint16Array: (at) => view.getUint16(at, true),
    Uint32Array: (at) => view.getUint32(at, true), Float32Array: (at) => view.getFloat32(at, true),
  }[Type.name];
  const scale = !integers && accessor.normalized && max ? 1 / max : 1;
  for (let i = 0; i < accessor.count; i += 1) {
    for (let c = 0; c < components; c += 1) {
      const value = getter(offset + i * step + c * Type.BYTES_PER_ELEMENT) * scale;
      out[i * components + c] = scale !== 1 ? Math.max(value, -1) : value;
    }
  }
  return out;
}

// ---- 4x4 matrices, column-major as WebGL takes them ----

const identity = () => new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

function multiply(a, b) {
  const out = new Float32Array(16);
  for (let column = 0; column < 4; column += 1) {
    for (let row = 0; row < 4; row += 1) {
      let sum = 0;
      for (let k = 0; k < 4; k += 1) sum += a[k * 4 + row] * b[column * 4 + k];
      out[column * 4 + row] = sum;
    }
  }
  return out;
}

/** A node's local matrix: its `matrix`, or translation x rotation (quaternion) x scale. */
function nodeMatrix(node) {
  if (Array.isArray(node.matrix) && node.matrix.length === 16) return new Float32Array(node.matrix);
  const [x, y, z, w] = node.rotation ?? [0, 0, 0, 1];
  const [sx, sy, sz] = node.scale ?? [1, 1, 1];
  const [tx, ty, tz] = node.translation ?? [0, 0, 0];
  return new Float32Array([
    (1 - 2 * (y * y + z * z)) * sx, 2 * (x * y + z * w) * sx, 2 * (x * z - y * w) * sx, 0,
    2 * (x * y - z * w) * sy, (1 - 2 * (x * x + z * z)) * sy, 2 * (y * z + x * w) * sy, 0,
    2 * (x * z + y * w) * sz, 2 * (y * z - x * w) * sz, (1 - 2 * (x * x + y * y)) * sz, 0,
    tx, ty, tz, 1,
  ]);
}

/** The inverse transpose of the upper 3x3 of `m` (for normals), as a 3x3 column-major array. */
function normalMatrix(m) {
  const [a, b, c, , d, e, f, , g, h, i] = m;
  const cofactors = [e * i - f * h, -(d * i - f * g), d * h - e * g, -(b * i - c * h), a * i - c * g, -(a * h - b * g), b * f - c * e, -(a * f - c * d), a * e - b * d];
  const determinant = a * cofactors[0] + b * cofactors[3] + c * cofactors[6];
  const inverse = Math.abs(determinant) > 1e-12 ? 1 / determinant : 0;
  // The cofactor matrix divided by the determinant is the inverse transpose.
  return cofactors.map((value) => value * inverse);
}

function perspective(fovY, aspect, near, far) {
  const f = 1 / Math.tan(fovY / 2);
  return new Float32Array([f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) / (near - far), -1, 0, 0, (2 * far * near) / (near - far), 0]);
}

function rotationY(angle) {
  const m = identity();
  m[0] = Math.cos(angle); m[2] = -Math.sin(angle); m[8] = Math.sin(angle); m[10] = Math.cos(angle);
  return m;
}

function rotationX(angle) {
  const m = identity();
  m[5] = Math.cos(angle); m[6] = Math.sin(angle); m[9] = -Math.sin(angle); m[10] = Math.cos(angle);
  return m;
}

function translation(x, y, z) {
  const m = identity();
  m[12] = x; m[13] = y; m[14] = z;
  return m;
}

// ---- From glTF to world-space triangles ----

/** Flat-ish normals for a primitive that has none: each vertex gets the sum of its faces'. */
function computeNormals(positions, indices) {
  const normals = new Float32Array(positions.length);
  const count = indices ? indices.length : positions.length / 3;
  for (let t = 0; t + 2 < count; t += 3) {
    const [i0, i1, i2] = indices ? [indices[t], indices[t + 1], indices[t + 2]] : [t, t + 1, t + 2];
    const p = (i) => [positions[i * 3], positions[i * 3 + 1], positions[i * 3 + 2]];
    const [a, b, c] = [p(i0), p(i1), p(i2)];
    const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
    const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
    for (const i of [i0, i1, i2]) for (let k = 0; k < 3; k += 1) normals[i * 3 + k] += n[k];
  }
  return normals;
}

/** Every triangle primitive of the default scene, moved into the model's own space. */
function collectPrimitives(gltf) {
  const { json } = gltf;
  const scene = json.scenes?.[json.scene ?? 0];
  const roots = scene?.nodes ?? (json.nodes ?? []).map((_, index) => index);
  const primitives = [];
  const visit = (index, parent, depth) => {
    const node = json.nodes?.[index];
    if (!node || depth > 32) return;
    const world = multiply(parent, nodeMatrix(node));
    for (const primitive of json.meshes?.[node.mesh]?.primitives ?? []) {
      if ((primitive.mode ?? TRIANGLES) !== TRIANGLES || primitive.attributes?.POSITION === undefined) continue;
      primitives.push(readPrimitive(gltf, primitive, world));
    }
    for (const child of node.children ?? []) visit(child, world, depth + 1);
  };
  for (const root of roots) visit(root, identity(), 0);
  if (!primitives.length) throw new ModelError('The model has no triangles to show.');
  return primitives;
}

function readPrimitive(gltf, primitive, world) {
  const { attributes } = primitive;
  const local = readAccessor(gltf, attributes.POSITION);
  const indices = primitive.indices === undefined ? null : readAccessor(gltf, primitive.indices, { integers: true });
  const vertexCount = local.length / 3;
  if (indices?.some((index) => index >= vertexCount)) throw new ModelError('The model\'s triangles name vertices it does not have.');
  const localNormals = attributes.NORMAL === undefined ? computeNormals(local, indices) : readAccessor(gltf, attributes.NORMAL);
  const positions = new Float32Array(local.length);
  const normals = new Float32Array(local.length);
  const n = normalMatrix(world);
  for (let i = 0; i < local.length; i += 3) {
    const [x, y, z] = [local[i], local[i + 1], local[i + 2]];
    positions[i] = world[0] * x + world[4] * y + world[8] * z + world[12];
    positions[i + 1] = world[1] * x + world[5] * y + world[9] * z + world[13];
    positions[i + 2] = world[2] * x + world[6] * y + world[10] * z + world[14];
    const [nx, ny, nz] = [localNormals[i], localNormals[i + 1], localNormals[i + 2]];
    normals[i] = n[0] * nx + n[3] * ny + n[6] * nz;
    normals[i + 1] = n[1] * nx + n[4] * ny + n[7] * nz;
    normals[i + 2] = n[2] * nx + n[5] * ny + n[8] * nz;
  }
  let colours = null;
  if (attributes.COLOR_0 !== undefined) {
    const raw = readAccessor(gltf, attributes.COLOR_0);
    const size = raw.length / vertexCount;
    colours = new Float32Array(vertexCount * 4);
    for (let i = 0; i < vertexCount; i += 1) {
      colours.set([raw[i * size], raw[i * size + 1], raw[i * size + 2], size === 4 ? raw[i * size + 3] : 1], i * 4);
    }
  }
  const material = gltf.json.materials?.[primitive.material] ?? {};
  const pbr = material.pbrMetallicRoughness ?? {};
  const textureIndex = pbr.baseColorTexture?.index;
  const texCoordSet = pbr.baseColorTexture?.texCoord ?? 0;
  const uvAccessor = attributes[`TEXCOORD_${texCoordSet}`];
  const textured = textureIndex !== undefined && uvAccessor !== undefined;
  return {
    positions, normals, colours, indices,
    uvs: textured ? readAccessor(gltf, uvAccessor) : null,
    textureIndex: textured ? textureIndex : null,
    baseColour: Array.isArray(pbr.baseColorFactor) && pbr.baseColorFactor.length === 4 ? pbr.baseColorFactor : [1, 1, 1, 1],
    doubleSided: Boolean(material.doubleSided),
  };
}

/** The centre and radius of everything, for framing the camera. */
function bounds(primitives) {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (const { positions } of primitives) {
    for (let i = 0; i < positions.length; i += 3) {
      for (let k = 0; k < 3; k += 1) {
        min[k] = Math.min(min[k], positions[i + k]);
        max[k] = Math.max(max[k], positions[i + k]);
      }
    }
  }
  const centre = min.map((value, k) => (value + max[k]) / 2);
  const radius = Math.max(1e-3, Math.hypot(max[0] - min[0], max[1] - min[1], max[2] - min[2]) / 2);
  return { centre, radius };
}

/** Decodes image `index` of texture `textureIndex` (embedded in the GLB) into an ImageBitmap. */
async function decodeTexture(gltf, textureIndex) {
  const texture = gltf.json.textures?.[textureIndex];
  const image = gltf.json.images?.[texture?.source];
  if (!image || image.bufferView === undefined) return null;
  const { bytes } = bufferViewBytes(gltf, image.bufferView);
  const type = ['image/png', 'image/jpeg'].includes(image.mimeType) ? image.mimeType : 'image/png';
  return createImageBitmap(new Blob([bytes], { type }), { imageOrientation: 'none', premultiplyAlpha: 'none' });
}

// ---- Drawing ----

const VERTEX_SHADER = `#version 300 es
layout(location = 0) in vec3 position;
layout(location = 1) in vec3 normal;
layout(location = 2) in vec4 colour;
layout(location = 3) in vec2 uv;
uniform mat4 model;
uniform mat4 viewProjection;
out vec3 worldNormal;
out vec4 vertexColour;
out vec2 texCoord;
void main() {
  worldNormal = mat3(model) * normal;
  vertexColour = colour;
  texCoord = uv;
  gl_Position = viewProjection * model * vec4(position, 1.0);
}`;

// Linear colours throughout (glTF's factors and vertex colours are linear, textures are
// uploaded as sRGB), a key light, a fill from below and the sky, written out as sRGB.
const FRAGMENT_SHADER = `#version 300 es
precision highp float;
in vec3 worldNormal;
in vec4 vertexColour;
in vec2 texCoord;
uniform vec4 baseColour;
uniform bool textured;
uniform sampler2D baseTexture;
out vec4 fragColour;
void main() {
  vec3 n = normalize(worldNormal);
  if (!gl_FrontFacing) n = -n;
  vec4 albedo = baseColour * vertexColour;
  if (textured) albedo *= texture(baseTexture, texCoord);
  vec3 key = normalize(vec3(0.5, 0.8, 0.6));
  float diffuse = max(dot(n, key), 0.0);
  float sky = 0.5 + 0.5 * n.y;
  vec3 light = vec3(1.0, 0.97, 0.92) * diffuse * 0.85 + mix(vec3(0.16, 0.15, 0.14), vec3(0.38, 0.42, 0.48), sky);
  vec3 colour = albedo.rgb * light;
  fragColour = vec4(pow(colour, vec3(1.0 / 2.2)), 1.0);
}`;

function compile(gl, type, source) {
  const shader = gl.createShader(type);
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new ModelError(`The 3D model viewer could not start (${gl.getShaderInfoLog(shader)}).`);
  return shader;
}

function program(gl) {
  const linked = gl.createProgram();
  gl.attachShader(linked, compile(gl, gl.VERTEX_SHADER, VERTEX_SHADER));
  gl.attachShader(linked, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT_SHADER));
  gl.linkProgram(linked);
  if (!gl.getProgramParameter(linked, gl.LINK_STATUS)) throw new ModelError('The 3D model viewer could not start.');
  return linked;
}

function upload(gl, primitive, textures) {
  const vao = gl.createVertexArray();
  gl.bindVertexArray(vao);
  const attribute = (location, data, size) => {
    gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
    gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
    gl.enableVertexAttribArray(location);
    gl.vertexAttribPointer(location, size, gl.FLOAT, false, 0, 0);
  };
  attribute(0, primitive.positions, 3);
  attribute(1, primitive.normals, 3);
  if (primitive.colours) attribute(2, primitive.colours, 4);
  else gl.vertexAttrib4f(2, 1, 1, 1, 1);
  if (primitive.uvs) attribute(3, primitive.uvs, 2);
  if (primitive.indices) {
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, gl.createBuffer());
    gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, primitive.indices, gl.STATIC_DRAW);
  }
  gl.bindVertexArray(null);
  return {
    vao,
    count: primitive.indices ? primitive.indices.length : primitive.positions.length / 3,
    indexed: Boolean(primitive.indices),
    hasColours: Boolean(primitive.colours),
    baseColour: primitive.baseColour,
    texture: primitive.textureIndex === null ? null : textures.get(primitive.textureIndex) ?? null,
    doubleSided: primitive.doubleSided,
  };
}

function uploadTexture(gl, bitmap) {
  const texture = gl.createTexture();
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.SRGB8_ALPHA8, gl.RGBA, gl.UNSIGNED_BYTE, bitmap);
  gl.generateMipmap(gl.TEXTURE_2D);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR_MIPMAP_LINEAR);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
  bitmap.close?.();
  return texture;
}

/**
 * Shows the GLB at `url` on `canvas`, turnable by the visitor. Throws a ModelError (with a
 * sentence to show) when the browser has no WebGL2 or the model cannot be read. Returns
 * `{ dispose() }`, which frees the GL context and the listeners.
 */
export async function showModel(canvas, url, { signal } = {}) {
  const gl = canvas.getContext('webgl2', { antialias: true, alpha: false });
  if (!gl) throw new ModelError('This browser cannot draw the 3D model: it has no WebGL2.');
  const response = await fetch(url, { signal });
  if (!response.ok) throw new ModelError(`The 3D model could not be loaded (HTTP ${response.status}).`);
  const gltf = parseGlb(await response.arrayBuffer());
  const primitives = collectPrimitives(gltf);
  const wanted = [...new Set(primitives.map((p) => p.textureIndex).filter((index) => index !== null))];
  const bitmaps = await Promise.all(wanted.map((index) => decodeTexture(gltf, index).catch(() => null)));
  if (signal?.aborted) throw new DOMException('aborted', 'AbortError');

  const shader = program(gl);
  const uniforms = Object.fromEntries(['model', 'viewProjection', 'baseColour', 'textured', 'baseTexture']
    .map((name) => [name, gl.getUniformLocation(shader, name)]));
  const textures = new Map(wanted.map((index, i) => [index, bitmaps[i] ? uploadTexture(gl, bitmaps[i]) : null]));
  const draws = primitives.map((primitive) => upload(gl, primitive, textures));
  const { centre, radius } = bounds(primitives);
  const view = { yaw: -Math.PI / 6, tilt: 0.35, zoom: 1 };

  let frame = 0;
  const draw = () => {
    frame = 0;
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    const width = Math.max(1, Math.round(canvas.clientWidth * dpr));
    const height = Math.max(1, Math.round(canvas.clientHeight * dpr));
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    gl.viewport(0, 0, width, height);
    gl.clearColor(0.93, 0.95, 0.97, 1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.enable(gl.DEPTH_TEST);
    gl.useProgram(shader);
    const distance = (radius * VIEW_DISTANCE) / view.zoom;
    const viewMatrix = multiply(translation(0, 0, -distance), rotationX(view.tilt));
    const projection = perspective(Math.PI / 4, width / height, distance / 50, distance + radius * 4);
    gl.uniformMatrix4fv(uniforms.viewProjection, false, multiply(projection, viewMatrix));
    gl.uniformMatrix4fv(uniforms.model, false, multiply(rotationY(view.yaw), translation(-centre[0], -centre[1], -centre[2])));
    gl.uniform1i(uniforms.baseTexture, 0);
    for (const each of draws) {
      gl.uniform4fv(uniforms.baseColour, each.baseColour);
      gl.uniform1i(uniforms.textured, each.texture ? 1 : 0);
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, each.texture);
      if (each.doubleSided) gl.disable(gl.CULL_FACE);
      else gl.enable(gl.CULL_FACE);
      gl.bindVertexArray(each.vao);
      if (!each.hasColours) gl.vertexAttrib4f(2, 1, 1, 1, 1);
      if (each.indexed) gl.drawElements(gl.TRIANGLES, each.count, gl.UNSIGNED_INT, 0);
      else gl.drawArrays(gl.TRIANGLES, 0, each.count);
    }
    gl.bindVertexArray(null);
    canvas.dataset.yaw = view.yaw.toFixed(3);
    canvas.dataset.ready = 'true';
  };
  const redraw = () => {
    if (!frame) frame = requestAnimationFrame(draw);
  };
  const turn = (yaw, tilt = 0) => {
    view.yaw = (view.yaw + yaw) % (Math.PI * 2);
    view.tilt = Math.min(TILT_LIMIT, Math.max(-TILT_LIMIT, view.tilt + tilt));
    redraw();
  };
  const zoomBy = (factor) => {
    view.zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, view.zoom * factor));
    redraw();
  };

  // One finger or the mouse turns; two fingers pinch to zoom.
  const pointers = new Map();
  const spread = () => {
    const [a, b] = [...pointers.values()];
    return Math.hypot(a.x - b.x, a.y - b.y);
  };
  let pinch = 0;
  const listeners = {
    pointerdown: (event) => {
      canvas.setPointerCapture?.(event.pointerId);
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (pointers.size === 2) pinch = spread();
    },
    pointermove: (event) => {
      const pointer = pointers.get(event.pointerId);
      if (!pointer) return;
      const dx = event.clientX - pointer.x;
      const dy = event.clientY - pointer.y;
      Object.assign(pointer, { x: event.clientX, y: event.clientY });
      if (pointers.size === 1) turn(dx * TURN_PER_PIXEL, dy * TURN_PER_PIXEL);
      else if (pointers.size === 2 && pinch > 0) {
        const now = spread();
        zoomBy(now / pinch);
        pinch = now;
      }
    },
    pointerup: (event) => pointers.delete(event.pointerId),
    pointercancel: (event) => pointers.delete(event.pointerId),
    wheel: (event) => {
      event.preventDefault();
      zoomBy(Math.exp(-event.deltaY * 0.0015));
    },
    keydown: (event) => {
      const action = {
        ArrowLeft: () => turn(-TURN_PER_KEY), ArrowRight: () => turn(TURN_PER_KEY),
        ArrowUp: () => turn(0, -TURN_PER_KEY / 2), ArrowDown: () => turn(0, TURN_PER_KEY / 2),
        '+': () => zoomBy(1.2), '=': () => zoomBy(1.2), '-': () => zoomBy(1 / 1.2),
        Home: () => { Object.assign(view, { yaw: -Math.PI / 6, tilt: 0.35, zoom: 1 }); redraw(); },
      }[event.key];
      if (!action) return;
      event.preventDefault();
      event.stopPropagation();
      action();
    },
    webglcontextlost: (event) => event.preventDefault(),
  };
  for (const [type, listener] of Object.entries(listeners)) canvas.addEventListener(type, listener, { passive: type.startsWith('pointer') });
  const resized = new ResizeObserver(redraw);
  resized.observe(canvas);
  redraw();

  return {
    dispose() {
      cancelAnimationFrame(frame);
      resized.disconnect();
      for (const [type, listener] of Object.entries(listeners)) canvas.removeEventListener(type, listener);
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    },
  };
}
