// micrograd-bench: times workloads in a release build and prints one JSON line
// per measurement, then a table. Usage: micrograd-bench [--runs N]
//
// B1 moons step: micrograd's demo step (100 points, MLP 2-16-16-1, hinge loss
// + 1e-4·Σp², SGD), eager and compiled (trace-and-run).

import Foundation
import Micrograd
import SampleData

let runs =
  CommandLine.arguments.firstIndex(of: "--runs").flatMap {
    CommandLine.arguments.indices.contains($0 + 1) ? Int(CommandLine.arguments[$0 + 1]) : nil
  } ?? 300

/// One timing: the median, min and max of `runs` calls after warming up.
struct Measurement {
  var workload: String
  var system: String
  var seconds: [Double]
  var extra: [String: String] = [:]

  var median: Double { seconds.sorted()[seconds.count / 2] }

  var json: String {
    let sorted = seconds.sorted()
    var fields = [
      "\"workload\": \"\(workload)\"", "\"system\": \"\(system)\"",
      String(format: "\"median_us\": %.2f", median * 1e6), String(format: "\"min_us\": %.2f", sorted.first! * 1e6),
      String(format: "\"max_us\": %.2f", sorted.last! * 1e6), "\"runs\": \(seconds.count)",
    ]
    fields += extra.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }
    return "{" + fields.joined(separator: ", ") + "}"
  }
}

/// A duration in milliseconds.
func milliseconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) * 1e-15
}

/// Times `body` `runs` times after `warmup` calls.
func time(runs: Int, warmup: Int = 10, _ body: () throws -> Void) rethrows -> [Double] {
  for _ in 0..<warmup { try body() }
  let clock = ContinuousClock()
  return try (0..<runs).map { _ in
    let start = clock.now
    try body()
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
  }
}

/// The moons model, data and loss, built the same way for every system.
struct MoonsSetup {
  let model: MLP
  let parameters: [Tensor]
  let points: Tensor
  let labels: Tensor

  init() {
    var generator = RandomGenerator(seed: 1)
    let moons = Moons(count: 100, noise: 0.1, generator: &generator)
    model = MLP(2, [16, 16, 1], generator: &generator)
    parameters = model.parameters()
    (points, labels) = (moons.pointTensor, moons.labelTensor)
  }

  func loss(_ x: Tensor, _ y: Tensor) -> Tensor {
    hingeLoss(model(x).reshape([-1]), y) + 1e-4 * l2Penalty(parameters)
  }
}

var results: [Measurement] = []

// B1, eager: forward, backward and update op by op.
do {
  let setup = MoonsSetup()
  let optimizer = SGD(setup.parameters, lr: 0.1)
  let seconds = time(runs: runs) {
    optimizer.zeroGrad()
    setup.loss(setup.points, setup.labels).backward()
    optimizer.step()
  }
  results.append(Measurement(workload: "B1-moons-step", system: "micrograd-eager", seconds: seconds))
}

// B1, compiled: the same step traced once and run by the interpreter.
do {
  let setup = MoonsSetup()
  let optimizer = SGD(setup.parameters, lr: 0.1)
  let clock = ContinuousClock()
  let start = clock.now
  let step = try compile(setup.model, optimizer: optimizer) { x, y in setup.loss(x, y) }
  let program = try step.program(for: [setup.points.shape, setup.labels.shape])
  let compileTime = clock.now - start
  // A second trace of the same step: call sites are symbolicated by now, so
  // this is the cost of tracing, autodiff and the passes alone.
  let again = clock.now
  _ = try compile(setup.model, optimizer: SGD(setup.parameters, lr: 0.1)) { x, y in setup.loss(x, y) }
    .program(for: [setup.points.shape, setup.labels.shape])
  let recompileTime = clock.now - again
  let seconds = try time(runs: runs) { try step(setup.points, setup.labels, lr: 0.1) }
  var extra = [
    "instructions": "\(program.instructions.count)",
    "kernels": "\(program.instructions.filter { $0.operation != .reshape }.count)",
    "compile_ms": String(format: "%.1f", milliseconds(compileTime)),
    "recompile_ms": String(format: "%.1f", milliseconds(recompileTime)),
  ]
  if let plan = program.memoryPlan {
    extra["peak_bytes"] = "\(plan.peakBytes)"
    extra["naive_bytes"] = "\(plan.naiveBytes)"
  }
  results.append(Measurement(workload: "B1-moons-step", system: "micrograd-compiled", seconds: seconds, extra: extra))
}

for result in results { print(result.json) }
print("")
print("workload         system                median µs      min µs      max µs")
for r in results {
  print(
    r.workload.padding(toLength: 17, withPad: " ", startingAt: 0)
      + r.system.padding(toLength: 20, withPad: " ", startingAt: 0)
      + String(format: "%11.1f %11.1f %11.1f", r.median * 1e6, r.seconds.min()! * 1e6, r.seconds.max()! * 1e6))
}
let eager = results[0].median
let compiled = results[1].median
print(String(format: "compiled step is %.2f× the speed of eager", eager / compiled))
