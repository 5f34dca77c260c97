import Micrograd
import SampleData

/// B1: micrograd's demo step. 100 two-moons points (noise 0.1), MLP
/// 2-16-16-1 (ReLU hidden, linear out), loss mean(relu(1 − y·score)) +
/// 1e-4·Σp², full batch, SGD with lr = 1.0 − 0.9·k/100 over 100 steps.
/// Measured: one step (forward + backward + update) and 100 steps, compiled
/// (traced once, run by the interpreter) and eager (op by op).
enum MoonsStep {
  /// The model, data and loss, built the same way for every system.
  struct Setup {
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

  /// The learning rate of step `k` of 100.
  static func learningRate(_ k: Int) -> Double { 1.0 - 0.9 * Double(k) / 100 }

  static func run(_ options: Options, _ report: (Measurement) -> Void) {
    let runs = options.runs(default: 500)
    let totalRuns = max(5, runs / 50)
    if options.systems.contains("eager") {
      let setup = Setup()
      let optimizer = SGD(setup.parameters, lr: 1.0)
      func step(_ k: Int) {
        optimizer.learningRate = learningRate(k)
        optimizer.zeroGrad()
        setup.loss(setup.points, setup.labels).backward()
        optimizer.step()
      }
      var k = 0
      let steps = time(runs: runs, warmup: 20) {
        step(k % 100)
        k += 1
      }
      report(Measurement(workload: "B1-moons-step", system: "micrograd-eager", seconds: steps))
      let totals = time(runs: totalRuns, warmup: 1) { for k in 0..<100 { step(k) } }
      report(
        Measurement(
          workload: "B1-moons-100-steps", system: "micrograd-eager", seconds: totals,
          extra: Dictionary(uniqueKeysWithValues: [peakResidentField()])))
    }
    if options.systems.contains("compiled") {
      let setup = Setup()
      let optimizer = SGD(setup.parameters, lr: 1.0)
      let start = now()
      let step: TrainingStep
      let program: Program
      do {
        step = try compile(setup.model, optimizer: optimizer) { x, y in setup.loss(x, y) }
        program = try step.program(for: [setup.points.shape, setup.labels.shape])
      } catch {
        fatalError("B1: compiling the moons step failed: \(error)")
      }
      let compileSeconds = now() - start
      var k = 0
      let steps = try! time(runs: runs, warmup: 20) {
        try step(setup.points, setup.labels, lr: learningRate(k % 100))
        k += 1
      }
      var extra = [
        "instructions": "\(program.instructions.count)",
        "compile_ms": String(format: "%.2f", compileSeconds * 1e3),
      ]
      if let plan = program.memoryPlan { extra["planned_bytes"] = "\(plan.peakBytes)" }
      report(Measurement(workload: "B1-moons-step", system: "micrograd-compiled", seconds: steps, extra: extra))
      let totals = try! time(runs: totalRuns, warmup: 1) {
        for k in 0..<100 { try step(setup.points, setup.labels, lr: learningRate(k)) }
      }
      report(
        Measurement(
          workload: "B1-moons-100-steps", system: "micrograd-compiled", seconds: totals,
          extra: Dictionary(uniqueKeysWithValues: [peakResidentField(), ("result_hash", resultHash(setup.parameters))]))
      )
    }
  }
}
