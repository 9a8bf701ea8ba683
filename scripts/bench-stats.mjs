// The statistics the benchmark scripts share. `median` takes the upper middle of an even count (the
// scripts run an odd number of rounds by default, where it is the median).
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
