import Testing

@testable import Micrograd

/// How a captured call stack tells the library's frames from the user's.
@Suite struct CapturedStackTests {
  /// Release builds record some source paths relative to the package; the
  /// library's own files must be skipped either way, or an operator's
  /// location names `Micrograd/CapturedStack.swift` instead of the user's line.
  @Test func libraryFilesAreRecognisedWithAbsoluteAndRelativePaths() {
    #expect(CapturedStack.isLibrary("/work/main/Sources/Micrograd/Tensor/CapturedStack.swift"))
    #expect(CapturedStack.isLibrary("Sources/Micrograd/Tensor/CapturedStack.swift"))
    #expect(CapturedStack.isLibrary("Sources/Micrograd/Ops/Add.swift"))
    #expect(!CapturedStack.isLibrary("/work/main/samples/moons/main.swift"))
    #expect(!CapturedStack.isLibrary("tools/bench/FusedElementwise.swift"))
    #expect(!CapturedStack.isLibrary("Sources/MicrogradViz/Palette.swift"))
  }

  @Test func moduleComesFromTheMangledName() {
    #expect(CapturedStack.moduleName(mangled: "$s5moons4mainyyF") == "moons")
    #expect(CapturedStack.moduleName(mangled: "$s9Micrograd6TensorC") == "Micrograd")
    #expect(CapturedStack.moduleName(mangled: "main") == nil)
  }
}
