import Foundation
import Micrograd

/// B2: a large MLP step. 784-512-512-10 with ReLU, batch 256, softmax
/// cross-entropy, SGD lr 0.01, random data. A step is 0.822 GFLOP
/// (forward 2·256·668,672 multiply-adds; backward twice that, less the
/// gradient of the input, which nobody needs).
enum LargeMLPStep {
  static let flopsPerStep: Double = {
    let multiplyAdds = 784 * 512 + 512 * 512 + 512 * 10
    return Double(2 * 256 * (3 * multiplyAdds - 784 * 512))
  }()

  struct Setup {
    let model: MLP
    let parameters: [Tensor]
    let images: Tensor
    let classes: Tensor

    init() {
      var generator = RandomGenerator(seed: 2)
      model = MLP(784, [512, 512, 10], generator: &generator)
      parameters = model.parameters()
      images = Tensor.normal([256, 784], generator: &generator)
      classes = Tensor((0..<256).map { _ in Float(generator.next() % 10) })
    }

    func loss(_ x: Tensor, _ y: Tensor) -> Tensor { crossEntropy(model(x), y) }
  }

  static func extra(_ seconds: [Double]) -> [String: String] {
    let median = seconds.sorted()[seconds.count / 2]
    return [
      "gflops": String(format: "%.1f", flopsPerStep / median / 1e9),
      peakResidentField().0: peakResidentField().1,
    ]
  }

  static func run(_ options: Options, _ report: (Measurement) -> Void) {
    let runs = options.runs(default: 100)
    if options.systems.contains("eager") {
      let setup = Setup()
      let optimizer = SGD(setup.parameters, lr: 0.01)
      let seconds = time(runs: runs, warmup: 5) {
        optimizer.zeroGrad()
        setup.loss(setup.images, setup.classes).backward()
        optimizer.step()
      }
      report(Measurement(workload: "B2-mlp-step", system: "micrograd-eager", seconds: seconds, extra: extra(seconds)))
    }
    if options.systems.contains("compiled") {
      let setup = Setup()
      let optimizer = SGD(setup.parameters, lr: 0.01)
      let step: TrainingStep
      do {
        step = try compile(setup.model, optimizer: optimizer) { x, y in setup.loss(x, y) }
      } catch {
        fatalError("B2: compiling the MLP step failed: \(error)")
      }
      if options.printPrograms {
        let program = try! step.program(for: [setup.images.shape, setup.classes.shape])
        FileHandle.standardError.write(Data("\(program)\n".utf8))
      }
      let seconds = try! time(runs: runs, warmup: 5) { try step(setup.images, setup.classes) }
      report(
        Measurement(workload: "B2-mlp-step", system: "micrograd-compiled", seconds: seconds, extra: extra(seconds)))
      if options.printProfiles {
        let profile = try! step.profile(setup.images, setup.classes, runs: runs)
        FileHandle.standardError.write(Data("# B2 compiled step\n\(profile)\n".utf8))
      }
    }
  }
}
