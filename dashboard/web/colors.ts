/** One colour per member everywhere: by the member's index (most active first), the same in every chart. */
const PALETTE = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4f46e5', '#65a30d', '#0d9488', '#b45309', '#7c3aed', '#be123c', '#0369a1', '#15803d'];

export function memberColor(index: number): string {
  if (index < PALETTE.length) return PALETTE[index]!;
  const hue = Math.round((index * 137.508) % 360);
  return `hsl(${hue} 55% 48%)`;
}

export const SERIES = { messages: '#2563eb', active: '#f59e0b', joins: '#16a34a', leaves: '#dc2626', count: '#7c3aed', neutral: '#64748b' };
