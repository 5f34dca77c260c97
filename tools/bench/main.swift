// micrograd-bench: the benchmark workloads of issue 6 (B1–B4) in a release
// build. Prints one JSON line per measurement, then a table; see Options.swift
// for the command line and tools/peers/ for the comparison with PyTorch and JAX.

import Foundation

let options = Options(CommandLine.arguments)
nonisolated(unsafe) var results: [Measurement] = []

/// Prints a measurement's JSON line as soon as it is taken, and keeps it for the table.
nonisolated func report(_ measurement: Measurement) {
  print(measurement.json)
  fflush(nil)
  results.append(measurement)
}

let environment = ProcessInfo.processInfo.environment
let blasVariables = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS"].map { name in
  "\(name)=\(environment[name] ?? "(unset)")"
}
if !options.jsonOnly { print("# environment: " + blasVariables.joined(separator: " ")) }

if options.workloads.contains("B1") { MoonsStep.run(options, report) }
if options.workloads.contains("B2") { LargeMLPStep.run(options, report) }
if options.workloads.contains("B3") { FusedElementwise.run(options, report) }
if options.workloads.contains("B4") { CompileCost.run(options, report) }

if !options.jsonOnly {
  print("")
  printTable(results)
}
