import Foundation
import Testing

@testable import Micrograd

/// The program text after every pass: from a compiled function, and as
/// files under `$MICROGRAD_DUMP_DIR`.
@Suite struct PassDumpTests {
  @Test func dumpsAfterLoweringAndEachPass() throws {
    var random = TestRandom(seed: 5)
    let w = random.tensor([3, 4])
    let b = random.tensor([4])
    let f = compileValueAndGrad(withRespectTo: [w, b], names: ["w", "b"]) { xs in
      relu(matmul(xs[0], w) + b).sum()
    }
    let dumps = try f.passDumps(for: [[2, 3]])
    #expect(dumps.map(\.pass) == ["lowering"] + Compiler.passes.map(\.name))
    // The last dump is the program the function runs; the cache is untouched.
    #expect(f.traceCount == 0)
    #expect(dumps.last?.program == (try f.program(for: [[2, 3]])))
    #expect(f.traceCount == 1)
    for dump in dumps {
      #expect(try Program(parsing: dump.text) == dump.program, "\(dump.pass)")
      try validate(dump.program)
    }
    // Lowering has the unfused ops; the epilogue pass folds add+relu into the gemm.
    #expect(dumps[0].text.contains("= relu "))
    #expect(dumps.first { $0.pass == "matmul-epilogue" }?.text.contains("matmul+fused{") == true)
  }

  @Test func trainingStepDumps() throws {
    var generator = RandomGenerator(seed: 6)
    let model = MLP(2, [4, 1], generator: &generator)
    let step = try compile(model, optimizer: SGD(model.parameters(), lr: 0.1)) { x, y in mseLoss(model(x), y) }
    let dumps = try step.passDumps(for: [[5, 2], [5, 1]])
    #expect(dumps.count == Compiler.passes.count + 1)
    #expect(dumps.allSatisfy { $0.text.contains("sgd[momentum=0.0,dampening=0.0,weight_decay=0.0,nesterov=false]") })
  }

  /// With `MICROGRAD_DUMP_DIR` set, every compilation writes
  /// `compile-K/NN-pass.mgir` files that parse back (run in a child
  /// process: the environment is the whole process's).
  @Test func dumpDirectory() async {
    await #expect(processExitsWith: .success) {
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mgir-\(getpid())").path
      setenv(PassDumps.directoryVariable, directory, 1)
      let f = compile { xs in [relu(xs[0] * 2 + 1)] }
      _ = try f.program(for: [[3]])
      let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/compile-1").sorted()
      let expected = (["lowering"] + Compiler.passes.map(\.name)).enumerated().map {
        ($0.offset < 10 ? "0" : "") + "\($0.offset)-\($0.element).mgir"
      }
      guard files == expected else { exit(1) }
      for file in files {
        let text = try String(contentsOfFile: directory + "/compile-1/" + file, encoding: .utf8)
        _ = try Program(parsing: text)
      }
      try FileManager.default.removeItem(atPath: directory)
    }
  }
}
