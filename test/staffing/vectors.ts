// The shared Erlang vectors (../shared/vectors/erlang.json), read from disk so the tests follow the file.
import { readFileSync } from 'node:fs';

export interface ErlangCVector {
  source: string;
  in: {
    arrivals: number;
    intervalSec: number;
    ahtSec: number;
    thresholdSec?: number;
    targetServiceLevel?: number;
    maxOccupancy?: number;
    shrinkage?: number;
    agents?: number;
  };
  expect: {
    rawAgents?: number;
    positions?: number;
    serviceLevel?: number;
    occupancy?: number;
    waitingProbability?: number;
    error?: string;
  };
  tolerance?: number;
}

export interface ErlangBVector {
  source: string;
  in: { trafficErlangs: number; agents?: number; maxBlocking?: number };
  expect: { blocking?: number; rawAgents?: number };
  tolerance?: number;
}

export interface ErlangAVector {
  source: string;
  in: {
    arrivals: number;
    intervalSec: number;
    ahtSec: number;
    thresholdSec: number;
    meanPatienceSec: number;
    agents: number;
  };
  expect: {
    waitingProbability: number;
    abandonmentProbability: number;
    occupancy: number;
    averageSpeedOfAnswerSec: number;
    serviceLevel: number;
  };
  tolerance: number;
}

export interface ErlangVectors {
  erlangC: ErlangCVector[];
  erlangB: ErlangBVector[];
  erlangA: ErlangAVector[];
}

export const VECTORS_PATH = new URL('../../../shared/vectors/erlang.json', import.meta.url);

export const vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as ErlangVectors;
