import Foundation
import Testing

@testable import Micrograd

/// The committed corpus of malformed inputs (`Fixtures/malformed`, written by
/// `tools/make-malformed-corpus.py`): every bad file is a thrown error from
/// the library and exit status 1 with one line from the tools; none crashes.
@Suite(.serialized) struct MalformedInputTests {
  static let folder = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/malformed").path
  static let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
  static func path(_ name: String) -> String { folder + "/" + name }
  static func named(_ prefix: String, _ suffix: String) -> [String] {
    files.filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }
  }

  let tool = CommandLineTool(name: "micrograd")

  @Test func theCorpusCoversEveryReader() {
    #expect(Self.named("bad-", ".mgir").count >= 8)
    #expect(Self.named("bad-", ".npy").count >= 10)
    #expect(Self.named("bad-", ".safetensors").count >= 10)
    #expect(Self.named("nan-", "").count >= 5)
  }

  /// The library's side: parse and validate, or read; each bad file throws.
  static func readThrows(_ name: String) -> Bool {
    let path = path(name)
    do {
      if name.hasSuffix(".mgir") {
        let text = String(decoding: try readFileContents(path), as: UTF8.self)
        let parsed = try IRParser.parse(text)
        try validate(parsed.program, lines: parsed.lines)
      } else if name.hasSuffix(".npy") {
        _ = try NumPyArray(npyFile: path)
      } else {
        _ = try readSafeTensors(path)
      }
    } catch {
      return true
    }
    return false
  }

  @Test(arguments: files.filter { $0.hasPrefix("bad-") })
  func theLibraryThrows(_ name: String) {
    #expect(Self.readThrows(name), "\(name) was accepted")
  }

  /// The arguments of a `micrograd run` of the good program with the one bad file in its place.
  func runArguments(_ name: String, out: String) -> [String] {
    let file = Self.path(name)
    let program = name.hasSuffix(".mgir") ? file : Self.path("ok-program.mgir")
    let weights = name.hasSuffix(".safetensors") ? file : Self.path("ok-weights.safetensors")
    let input = name.hasSuffix(".npy") ? file : Self.path("ok-x.npy")
    return ["run", program, "--weights", weights, "--input", "x=" + input, "--out", out]
  }

  func expectOneLineFailure(_ arguments: [String], _ result: CommandLineTool.Result) {
    #expect(result.status == 1, "\(arguments): \(result.error)")
    #expect(result.error.hasPrefix("micrograd: "), "\(arguments): \(result.error)")
    #expect(result.error.filter { $0 == "\n" }.count == 1, "\(arguments): \(result.error)")
  }

  @Test(arguments: files.filter { $0.hasPrefix("bad-") })
  func theToolExitsWithOneAndOneLine(_ name: String) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    var runs = [runArguments(name, out: folder.file("out"))]
    if name.hasSuffix(".mgir") { runs += [["check", Self.path(name)], ["inspect", Self.path(name)]] }
    for arguments in runs {
      expectOneLineFailure(arguments, try tool.run(arguments))
    }
    #expect(!FileManager.default.fileExists(atPath: folder.file("out/y.npy")), "no output from a failed run")
  }

  @Test func theGoodFilesRun() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let arguments = runArguments("ok-program.mgir", out: folder.file("out"))
    let result = try tool.run(arguments)
    #expect(result.status == 0, "\(result.error)")
    let y = try NumPyArray(npyFile: folder.file("out/y.npy")).tensor
    let expected = exp(matmul(Tensor([[1, 2, 3], [-1, 0.5, 0]]), Tensor([[0.5, -1], [0.25, 2], [1, -0.5]])))
    #expect(y.scalars == expected.scalars)
  }

  /// Well-formed files holding NaN or infinity read fine; a run checking
  /// numerics (the tool's default) stops at them.
  @Test(arguments: files.filter { $0.hasPrefix("nan-") })
  func nonFiniteDataStopsACheckedRun(_ name: String) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let arguments = runArguments(name, out: folder.file("out"))
    let result = try tool.run(arguments)
    expectOneLineFailure(arguments, result)
    #expect(result.error.contains("checkNumerics"), "\(result.error)")
    let unchecked = try tool.run(arguments + ["--no-check-numerics"])
    #expect(unchecked.status == 0, "\(unchecked.error)")

    // The library: reading succeeds, a checked run throws.
    let text = try String(contentsOfFile: runArguments(name, out: "")[1], encoding: .utf8)
    let parsed = try IRParser.parse(text)
    let weights = try readSafeTensors(runArguments(name, out: "")[3])
    let x = try NumPyArray(npyFile: String(runArguments(name, out: "")[5].dropFirst(2))).tensor
    let runner = try ProgramRunner(program: parsed.program, weights: weights, lines: parsed.lines)
    runner.checkNumerics = true
    #expect(throws: ProgramRunnerError.self) { try runner.run(inputs: ["x": x]) }
  }

  /// No reader allocates what a file's header claims before checking the
  /// file holds it: every bad file is read in a child process whose address
  /// space is capped at 512 MiB above what it already uses. (Skipped under
  /// the sanitizers, which reserve terabytes of shadow memory; the ASan run
  /// caps single allocations with `max_allocation_size_mb` instead.)
  @Test(.enabled(if: ProcessInfo.processInfo.environment["MICROGRAD_SANITIZER"] == nil))
  func noReaderAllocatesWhatAHeaderClaims() async {
    await #expect(processExitsWith: .success) {
      let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
      let pages = Int(statm.split(separator: " ").first ?? "") ?? 0
      var limit = rlimit()
      limit.rlim_cur = rlim_t(pages * Int(getpagesize()) + (512 << 20))
      limit.rlim_max = limit.rlim_cur
      guard pages > 0, setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0 else { exit(2) }
      for name in MalformedInputTests.files where name.hasPrefix("bad-") {
        guard MalformedInputTests.readThrows(name) else { exit(3) }
      }
    }
  }
}

/// A memory plan read from a file may declare buffers far larger than its
/// values: the interpreter allocates what the values need (found by the
/// ASan run's 1 GiB allocation cap on a mutated program).
@Suite struct DeclaredBufferSizeTests {
  @Test func aHugeDeclaredBufferAllocatesOnlyWhatItsValuesNeed() throws {
    let text = """
      micrograd-ir 1
      func @main(%0: f32[2] input "x") -> (%1 "y") {
        %1 = exp %0 : f32[2] buf0  @ a.swift:1
        return %1
      }
      memory buffers=[2147483648] peak=8589934592 naive=8

      """
    let parsed = try IRParser.parse(text)
    try validate(parsed.program, lines: parsed.lines)
    let interpreter = Interpreter(LoweredProgram(program: parsed.program, bindings: [:]))
    #expect(interpreter.ownedBytes < 1 << 10, "\(interpreter.ownedBytes) bytes")
    #expect(try interpreter.run([Tensor([0, 1])])[0].scalars == [1, Float(M_E)])
  }
}
