/** A grouped bar chart as a standalone SVG string (no dependencies). */
export function barChart(options: {
  title: string;
  unit: string;
  groups: string[];
  series: { name: string; values: number[] }[];
  log?: boolean;
}): string {
  const { title, unit, groups, series } = options;
  const W = 760;
  const H = 340;
  const left = 70;
  const bottom = 60;
  const top = 40;
  const plotH = H - top - bottom;
  const colors = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5'];
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
  const max = Math.max(1e-9, ...all);
  const min = options.log ? Math.min(...all) / 2 : 0;
  const scale = (v: number): number => {
    if (!Number.isFinite(v) || v <= 0) return 0;
    if (!options.log) return (v / max) * plotH;
    return (Math.log(v / min) / Math.log((max * 1.1) / min)) * plotH;
  };
  const groupW = (W - left - 20) / Math.max(1, groups.length);
  const barW = (groupW * 0.8) / Math.max(1, series.length);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">${esc(unit)}${options.log ? ' (log)' : ''}</text>`,
    `<line x1="${left}" y1="${top + plotH}" x2="${W - 10}" y2="${top + plotH}" stroke="black"/>`,
  ];
  groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + groupW * 0.1;
    series.forEach((s, si) => {
      const v = s.values[gi] ?? Number.NaN;
      const h = scale(v);
      const x = x0 + si * barW;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[si % colors.length]}"><title>${esc(s.name)}: ${v}</title></rect>`,
        `<text x="${(x + barW / 2).toFixed(1)}" y="${(top + plotH - h - 3).toFixed(1)}" text-anchor="middle" font-size="9">${Number.isFinite(v) ? Number(v.toPrecision(3)) : 'n/a'}</text>`,
      );
    });
    parts.push(
      `<text x="${(x0 + groupW * 0.4).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle">${esc(g)}</text>`,
    );
  });
  series.forEach((s, si) => {
    const x = left + si * 150;
    parts.push(
      `<rect x="${x}" y="${H - 22}" width="12" height="12" fill="${colors[si % colors.length]}"/>`,
      `<text x="${x + 16}" y="${H - 12}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
