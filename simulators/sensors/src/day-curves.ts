import type { FacilityKind } from '@freiplatz/domain';

/** Hour of day (0–24) → target occupancy, interpolated linearly in between. */
export type Curve = ReadonlyArray<readonly [hour: number, occupancy: number]>;

/** Weekday, Saturday and Sunday curves of the city's facility kinds. */
export const dayCurves: Record<Exclude<FacilityKind, 'rv_site'>, { weekday: Curve; saturday: Curve; sunday: Curve }> = {
  car_park: {
    weekday: [
      [0, 0.06],
      [6.5, 0.08],
      [9, 0.5],
      [11, 0.72],
      [12, 0.8],
      [15, 0.78],
      [18, 0.62],
      [20, 0.4],
      [22, 0.12],
      [24, 0.06],
    ],
    saturday: [
      [0, 0.06],
      [7, 0.08],
      [9.5, 0.6],
      [11, 0.88],
      [15, 0.92],
      [17, 0.72],
      [20, 0.35],
      [22, 0.1],
      [24, 0.06],
    ],
    sunday: [
      [0, 0.06],
      [10, 0.08],
      [13, 0.25],
      [17, 0.25],
      [20, 0.1],
      [24, 0.06],
    ],
  },
  on_street: {
    weekday: [
      [0, 0.45],
      [6, 0.42],
      [8, 0.6],
      [9, 0.85],
      [19, 0.85],
      [21, 0.6],
      [24, 0.45],
    ],
    saturday: [
      [0, 0.5],
      [8, 0.45],
      [10, 0.78],
      [16, 0.8],
      [19, 0.65],
      [24, 0.5],
    ],
    sunday: [
      [0, 0.5],
      [10, 0.45],
      [15, 0.55],
      [19, 0.5],
      [24, 0.45],
    ],
  },
  park_and_ride: {
    weekday: [
      [0, 0.03],
      [5, 0.03],
      [6, 0.15],
      [8, 0.8],
      [9, 0.88],
      [15, 0.82],
      [17, 0.5],
      [19, 0.15],
      [22, 0.05],
      [24, 0.03],
    ],
    saturday: [
      [0, 0.03],
      [9, 0.05],
      [12, 0.2],
      [16, 0.15],
      [20, 0.05],
      [24, 0.03],
    ],
    sunday: [
      [0, 0.03],
      [11, 0.05],
      [14, 0.12],
      [18, 0.05],
      [24, 0.03],
    ],
  },
};

/** Campers arrive in the afternoon and stay the night; the base rises in summer and falls in winter. */
export const camperCurve: Curve = [
  [0, 0.72],
  [9, 0.7],
  [12, 0.5],
  [15, 0.55],
  [19, 0.72],
  [24, 0.72],
];

/** Interpolates an hour→occupancy curve linearly. */
export function interpolateCurve(curve: Curve, hour: number): number {
  let previous = curve[0] ?? [0, 0];
  for (const point of curve) {
    if (point[0] >= hour) {
      const span = point[0] - previous[0];
      return span === 0 ? point[1] : previous[1] + ((point[1] - previous[1]) * (hour - previous[0])) / span;
    }
    previous = point;
  }
  return previous[1];
}
