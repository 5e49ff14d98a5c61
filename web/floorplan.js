// The visitor's floor plan, drawn as SVG from the published snapshot (GET /api/v1/hall): hall
// walls with their doorways, topic zones and booths in topic colours, the selected booth, and
// the visitor's marker. The minimap and the 2D twin of the hall (app.js) both draw with it, in
// the snapshot's own coordinates: SVG x is world x and SVG y is world z, seen from above (the
// twin turns the drawing a quarter, entrances on the left, so a deep hall fills a wide screen).

import { svg } from '/lib.js';

/** One colour per topic, in the order of `Topic::ALL` (crates/pavilion-model/src/topic.rs). */
const TOPIC_COLOURS = {
  'app-privacy': '#8e44ad',
  'security-standards': '#2e86c1',
  'industry-innovation': '#d68910',
  'cyber-literacy': '#28b463',
  'youth-security': '#e74c3c',
  finance: '#b7950b',
  telecoms: '#17a589',
  'rule-of-law': '#6c3483',
  'network-security': '#1f6fb2',
  'data-security': '#c0392b',
  identity: '#7d3c98',
  'cloud-security': '#3498db',
  'endpoint-security': '#ca6f1e',
  'industrial-control': '#616a6b',
  cryptography: '#1e8449',
  'threat-intelligence': '#a93226',
};

/** The colour of a topic on the plan (grey for a topic this page does not know). */
export function topicColour(topic) {
  return TOPIC_COLOURS[topic] ?? '#7b8794';
}

/** The width of one character of a booth label (metres), and the fewest worth writing. */
const LABEL_CHARACTER = 0.46;
const MIN_LABEL = 7;

/** Depth of the concourse in front of the halls (as the viewer builds it), in metres. */
const CONCOURSE = 14;

/** A booth's floor after rotation, in world coordinates: `{ x, z, width, depth }`. */
export function boothRect(hall, placement) {
  const turned = placement.rotation % 2 === 1;
  const width = turned ? placement.footprint.depth : placement.footprint.width;
  const depth = turned ? placement.footprint.width : placement.footprint.depth;
  return {
    x: hall.origin[0] + placement.position[0] - width / 2,
    z: hall.origin[1] + placement.position[1] - depth / 2,
    width,
    depth,
  };
}

/** Unit vector `[x, z]` out of a booth's open front (see `Rotation::front_direction`). */
function frontDirection(rotation) {
  return [[0, -1], [-1, 0], [0, 1], [1, 0]][rotation] ?? [0, -1];
}

/** The box around `halls` (world metres), with the concourse in front and a margin. */
export function planBounds(halls, margin = 3) {
  const minX = Math.min(...halls.map((h) => h.origin[0]));
  const maxX = Math.max(...halls.map((h) => h.origin[0] + h.width));
  const minZ = Math.min(...halls.map((h) => h.origin[1]));
  const maxZ = Math.max(...halls.map((h) => h.origin[1] + h.depth));
  return { x: minX - margin, z: minZ - CONCOURSE / 2 - margin, width: maxX - minX + 2 * margin, depth: maxZ - minZ + CONCOURSE / 2 + 2 * margin };
}

/**
 * Where to stand at a hall's entrance (just inside its first doorway) and where to look:
 * `{ stand: [x, z], look: [x, z] }` in world metres.
 */
export function hallEntrance(hall) {
  const door = hall.origin[0] + (hall.entrances[0]?.x ?? hall.width / 2);
  return { stand: [door, hall.origin[1] + 2.5], look: [door, hall.origin[1] + hall.depth / 2] };
}

/** The floor in front of a stage area where its audience stands (8 m; 4 m for the contest desk). */
function audienceRect(rect, area) {
  const depth = area.kind === 'contest' ? 4 : 8;
  switch (area.rotation % 4) {
    case 0: return { x: rect.x, z: rect.z - depth, width: rect.width, depth };
    case 1: return { x: rect.x - depth, z: rect.z, width: depth, depth: rect.depth };
    case 2: return { x: rect.x, z: rect.z + rect.depth, width: rect.width, depth };
    default: return { x: rect.x + rect.width, z: rect.z, width: depth, depth: rect.depth };
  }
}

/** Where to stand at the edge of a topic zone nearest the hall's doorway, facing into it. */
export function zoneEntrance(hall, zone) {
  const doorLocal = hall.entrances[0]?.x ?? hall.width / 2;
  const { x, z, width, depth } = zone.area;
  const alongX = Math.min(Math.max(doorLocal, x + 1), x + width - 1);
  const standZ = Math.max(z - 1.5, 2.5);
  return {
    stand: [hall.origin[0] + alongX, hall.origin[1] + standZ],
    look: [hall.origin[0] + x + width / 2, hall.origin[1] + z + depth / 2],
  };
}

/**
 * Draws `halls` of `snapshot` as an `<svg>`. Options: `names` (slug -> exhibitor summary, for
 * labels and accessible names), `links` (each booth, hall name and zone label is a link to its
 * `#/booth/`, `#/hall/` or `#/topic/` address, with an accessible name: the 2D twin), `labels`
 * (write names on the plan), `title` (the plan's accessible name; without one the drawing is
 * hidden from assistive technology: the minimap), `turned` (entrances on the left, deep end on
 * the right; text stays upright), `markerScale` (size of the visitor's marker). Returns `{ element, select(slug),
 * showVisitor(pose), highlightTopic(topic), worldPoint(clientX, clientY) }`.
 */
export function floorPlan(snapshot, {
  halls = snapshot.halls, names = new Map(), links = false, labels = false, title = null, className = '', markerScale = 1, turned = false,
} = {}) {
  // Labels may reach past the walls: leave them room.
  const bounds = planBounds(halls, labels ? 7 : 3);
  // Turned: screen x is world z and screen y is -x (a quarter turn, not a mirror image).
  const viewBox = turned
    ? [bounds.z, -(bounds.x + bounds.width), bounds.depth, bounds.width]
    : [bounds.x, bounds.z, bounds.width, bounds.depth];
  const upright = (x, y) => (turned ? `rotate(90 ${x} ${y})` : null);
  const root = svg('svg', {
    class: `floorplan ${className}`.trim(),
    viewBox: viewBox.join(' '),
    preserveAspectRatio: 'xMidYMid meet',
    role: title ? 'group' : null,
    'aria-label': title,
    'aria-hidden': title ? null : 'true',
    focusable: 'false',
  });
  const content = svg('g', { transform: turned ? 'matrix(0 -1 1 0 0 0)' : null });
  root.append(content);
  const booths = new Map();
  const rects = new Map();
  const zones = [];
  for (const hall of halls) {
    const [ox, oz] = hall.origin;
    const group = svg('g', { class: 'fp-hall', role: links ? 'group' : null, 'aria-label': links ? hall.name : null });
    group.append(svg('rect', { x: ox, y: oz, width: hall.width, height: hall.depth, class: 'fp-floor' }));
    for (const zone of hall.zones ?? []) {
      const colour = topicColour(zone.topic);
      const rect = svg('rect', {
        x: ox + zone.area.x, y: oz + zone.area.z, width: zone.area.width, height: zone.area.depth, rx: 0.6,
        class: 'fp-zone', fill: colour, stroke: colour, dataset: { topic: zone.topic },
      });
      zones.push(rect);
      group.append(rect);
    }
    group.append(svg('rect', { x: ox, y: oz, width: hall.width, height: hall.depth, class: 'fp-wall' }));
    for (const door of hall.entrances ?? []) {
      group.append(svg('line', { x1: ox + door.x - door.width / 2, y1: oz, x2: ox + door.x + door.width / 2, y2: oz, class: 'fp-door' }));
    }
    if (labels) {
      for (const zone of hall.zones ?? []) {
        // Above the zone's top-left corner as seen on screen.
        const [x, y] = turned ? [ox + zone.area.x + zone.area.width + 0.5, oz + zone.area.z + 0.2] : [ox + zone.area.x + 0.4, oz + zone.area.z - 0.5];
        const label = svg('text', { x, y, transform: upright(x, y), class: 'fp-zone-label', fill: topicColour(zone.topic) },
          topicName(zone.topic, names));
        group.append(links ? svg('a', { href: `#/topic/${zone.topic}`, class: 'fp-link' }, label) : label);
      }
    }
    for (const placement of hall.booths ?? []) {
      const exhibitor = names.get(placement.exhibitor);
      const topic = exhibitor?.topic;
      const rect = boothRect(hall, placement);
      const [fx, fz] = frontDirection(placement.rotation);
      const cx = rect.x + rect.width / 2;
      const cz = rect.z + rect.depth / 2;
      // The open front: a bar along the side facing the aisle.
      const half = [Math.abs(fz) * rect.width / 2, Math.abs(fx) * rect.depth / 2];
      const edge = [cx + fx * (rect.width / 2 - 0.25), cz + fz * (rect.depth / 2 - 0.25)];
      const shape = [
        svg('rect', { x: rect.x + 0.15, y: rect.z + 0.15, width: rect.width - 0.3, height: rect.depth - 0.3, rx: 0.3, class: 'fp-booth-body', fill: topicColour(topic) }),
        svg('line', { x1: edge[0] - half[0], y1: edge[1] - half[1], x2: edge[0] + half[0], y2: edge[1] + half[1], class: 'fp-booth-front' }),
      ];
      if (labels && exhibitor) {
        // Names that fit (or most of a name) are written on the booth; a booth too small for
        // that shows its name under the plan when pointed at or focused (app.js).
        const across = turned ? rect.depth : rect.width;
        const fits = Math.floor((across - 0.4) / LABEL_CHARACTER);
        if (fits >= Math.min(exhibitor.name.length, MIN_LABEL)) {
          const short = exhibitor.name.length > fits ? `${exhibitor.name.slice(0, fits - 1).trimEnd()}…` : exhibitor.name;
          const [x, y] = turned ? [cx - 0.3, cz] : [cx, cz + 0.3];
          shape.push(svg('text', { x, y, transform: upright(x, y), class: 'fp-booth-label' }, short));
        }
      }
      // The title names the booth in full (its label may be cut short): the accessible name,
      // and the tooltip under a pointer.
      const name = exhibitor ? `${exhibitor.name}, ${topicName(topic, names)}` : placement.exhibitor;
      const booth = links
        ? svg('a', { href: `#/booth/${placement.exhibitor}`, class: 'fp-booth fp-link', dataset: { slug: placement.exhibitor } }, svg('title', {}, name), ...shape)
        : svg('g', { class: 'fp-booth', dataset: { slug: placement.exhibitor } }, ...shape);
      booths.set(placement.exhibitor, booth);
      rects.set(placement.exhibitor, rect);
      group.append(booth);
    }
    // Stages (and the contest desk): the platform, its audience floor, and its name.
    for (const area of hall.stages ?? []) {
      const rect = boothRect(hall, area);
      const audience = audienceRect(rect, area);
      const name = area.name || area.stage;
      const shape = [
        svg('rect', { x: audience.x, y: audience.z, width: audience.width, height: audience.depth, class: 'fp-audience' }),
        svg('rect', { x: rect.x + 0.15, y: rect.z + 0.15, width: rect.width - 0.3, height: rect.depth - 0.3, rx: 0.3, class: `fp-stage-body fp-${area.kind ?? 'stage'}` }),
      ];
      if (labels) {
        const [x, y] = [rect.x + rect.width / 2, rect.z + rect.depth / 2 + 0.3];
        shape.push(svg('text', { x, y, transform: upright(x, y), class: 'fp-booth-label' }, area.kind === 'contest' ? 'Contest' : name.replace(/,.*/, '').slice(0, 28)));
      }
      group.append(links
        ? svg('a', { href: `#/stage/${area.stage}`, class: 'fp-stage fp-link', dataset: { stage: area.stage } }, svg('title', {}, area.kind === 'contest' ? 'Knowledge contest' : `Stage: ${name}`), ...shape)
        : svg('g', { class: 'fp-stage', dataset: { stage: area.stage } }, ...shape));
    }
    if (labels) {
      const [x, y] = turned ? [ox + hall.width + 1.2, oz + hall.depth / 2] : [ox + hall.width / 2, oz - 2.2];
      const title = svg('text', { x, y, transform: upright(x, y), class: 'fp-hall-label' }, hall.name.replace(/:.*/, ''));
      group.append(links ? svg('a', { href: `#/hall/${hall.id}`, class: 'fp-link' }, title) : title);
    }
    content.append(group);
  }
  // The selected booth's outline, drawn over everything (so booths keep their order for Tab).
  const highlight = svg('rect', { class: 'fp-highlight', visibility: 'hidden', rx: 0.5 });
  content.append(highlight);
  const visitor = svg('g', { class: 'fp-visitor', visibility: 'hidden' },
    svg('path', { d: 'M0 0 L9 -4.5 A10 10 0 0 1 9 4.5 Z', class: 'fp-visitor-view' }),
    svg('circle', { r: 1.6, class: 'fp-visitor-dot' }));
  content.append(visitor);

  let selected = null;
  return {
    element: root,
    /** Highlights the booth of `slug` (or none). */
    select(slug) {
      booths.get(selected)?.classList.remove('fp-selected');
      booths.get(selected)?.removeAttribute('aria-current');
      selected = slug;
      const booth = booths.get(slug);
      highlight.setAttribute('visibility', booth ? 'visible' : 'hidden');
      if (!booth) return;
      booth.classList.add('fp-selected');
      if (links) booth.setAttribute('aria-current', 'true');
      const rect = rects.get(slug);
      const grow = 0.4 * markerScale;
      for (const [name, value] of Object.entries({ x: rect.x - grow, y: rect.z - grow, width: rect.width + 2 * grow, height: rect.depth + 2 * grow })) {
        highlight.setAttribute(name, value);
      }
    },
    /** Shows the visitor at `{ x, z, heading }` (heading 0 looks along -z, counter-clockwise). */
    showVisitor(pose) {
      if (!pose) return;
      // The direction of view on the plan: world (-sin h, -cos h) as an SVG angle.
      const degrees = (Math.atan2(-Math.cos(pose.heading), -Math.sin(pose.heading)) * 180) / Math.PI;
      visitor.setAttribute('transform', `translate(${pose.x} ${pose.z}) rotate(${degrees.toFixed(1)}) scale(${markerScale})`);
      visitor.setAttribute('visibility', 'visible');
    },
    /** Marks the zones of `topic` (or none). */
    highlightTopic(topic) {
      for (const zone of zones) zone.classList.toggle('fp-zone-active', zone.dataset.topic === topic);
    },
    /** The world point `[x, z]` under a pointer at (clientX, clientY). */
    worldPoint(clientX, clientY) {
      const matrix = content.getScreenCTM();
      if (!matrix) return null;
      const point = new DOMPoint(clientX, clientY).matrixTransform(matrix.inverse());
      return [point.x, point.y];
    },
  };
}

function topicName(topic, names) {
  for (const exhibitor of names.values()) if (exhibitor.topic === topic && exhibitor.topic_label) return exhibitor.topic_label;
  return (topic ?? '').replace(/-/g, ' ');
}
