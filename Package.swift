// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "Micrograd",
  products: [
    .library(name: "Micrograd", targets: ["Micrograd"]),
    .executable(name: "moons", targets: ["moons"]),
    .executable(name: "micrograd-bench", targets: ["micrograd-bench"]),
    .executable(name: "micrograd", targets: ["MicrogradCommand"]),
    .library(name: "MicrogradViz", targets: ["MicrogradViz"]),
    .executable(name: "micrograd-viz", targets: ["micrograd-viz"]),
    .executable(name: "charlm", targets: ["charlm"]),
    .executable(name: "micrograd-soak", targets: ["micrograd-soak"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // `make docs`: the DocC catalog of the Micrograd module (swift package generate-documentation).
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CBLAS",
      path: "Sources/CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    .target(
      name: "Micrograd",
      dependencies: ["CBLAS", "CKernels"]
    ),
    .target(name: "SampleData", dependencies: ["Micrograd"], path: "samples/SampleData"),
    .executableTarget(
      name: "moons", dependencies: ["Micrograd", "SampleData", "SampleSupport"], path: "samples/moons"),
    .executableTarget(name: "micrograd-bench", dependencies: ["Micrograd", "SampleData"], path: "tools/bench"),
    .executableTarget(
      name: "MicrogradCommand",
      dependencies: ["Micrograd", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      path: "tools/micrograd"),
    .testTarget(name: "MicrogradTests", dependencies: ["Micrograd"], resources: [.copy("Fixtures")]),
    .systemLibrary(
      name: "CGraphviz",
      path: "Sources/CGraphviz",
      pkgConfig: "libgvc",
      providers: [.apt(["libgraphviz-dev"])]
    ),
    .target(name: "MicrogradViz", dependencies: ["Micrograd", "CGraphviz"]),
    .executableTarget(
      name: "micrograd-viz",
      dependencies: ["MicrogradViz", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      path: "tools/micrograd-viz"
    ),
    .testTarget(name: "MicrogradVizTests", dependencies: ["MicrogradViz", "Micrograd"]),
    // Samples: what they share (progress bar, options, writing the step's program and picture), yinyang, digits.
    .target(name: "SampleSupport", dependencies: ["Micrograd", "MicrogradViz"], path: "samples/SampleSupport"),
    .executableTarget(name: "yinyang", dependencies: ["Micrograd", "SampleSupport"], path: "samples/yinyang"),
    .executableTarget(
      name: "digits", dependencies: ["Micrograd", "SampleSupport"], path: "samples/digits", resources: [.copy("data")]),
    // charlm sample and the custom-op test target (issue 8).
    .executableTarget(name: "charlm", dependencies: ["Micrograd", "MicrogradViz"], path: "samples/charlm"),
    .testTarget(name: "CustomOpTests", dependencies: ["Micrograd"]),
    // Long runs for `make soak`: memory over 10,000 compiled steps, a 1,000,000-node graph, a 100,000-instruction program.
    .executableTarget(name: "micrograd-soak", dependencies: ["Micrograd", "SampleData"], path: "tools/soak"),
    // exp, log, tanh and sigmoid with fused multiply-adds (AVX2 or AVX-512, chosen at run time); streaming copy.
    .target(name: "CKernels"),
  ],
  swiftLanguageModes: [.v6]
)
