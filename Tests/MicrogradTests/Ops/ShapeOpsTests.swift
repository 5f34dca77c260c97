import Testing

@testable import Micrograd

/// Permute, transpose and .T, slices and concatenation against PyTorch, finite
/// differences (first and second order), and their error messages.
@Suite struct ShapeOpsTests {
  static let ops: OpTable = [
    "permute_3d": { $0[0].permute([2, 0, 1]) },
    "permute_negative_axes": { $0[0].permute([-1, 0, -2]) },
    "permute_4d_odd": { $0[0].permute([3, 1, 0, 2]) },
    "permute_identity": { $0[0].permute([0, 1]) },
    "permute_0d": { $0[0].permute([]) },
    "permute_then_mul": { $0[0].permute([1, 0]) * $0[1] },
    "transpose_default": { $0[0].transpose() },
    "transpose_outer_axes": { $0[0].transpose(0, 2) },
    "transpose_same_axis": { $0[0].transpose(1, 1) },
    "T_2d": { $0[0].T },
    "T_3d": { $0[0].T },
    "T_1d": { $0[0].T },
    "T_matmul": { matmul($0[0].T, $0[1]) },
    "slice_basic": { $0[0].slice(axis: 1, start: 1, end: 4) },
    "slice_step": { $0[0].slice(axis: 0, start: 1, end: 7, step: 2) },
    "slice_negative_indices": { $0[0].slice(axis: -1, start: -3, end: -1) },
    "slice_clamped": { $0[0].slice(axis: 0, start: -10, end: 100) },
    "slice_open_end": { $0[0].slice(axis: 1, start: 2) },
    "slice_reverse": { $0[0].slice(axis: -1, step: -1) },
    "slice_negative_step": { $0[0].slice(axis: 0, start: -2, end: 0, step: -2) },
    "slice_negative_step_clamped": { $0[0].slice(axis: 1, start: 50, end: -50, step: -3) },
    "slice_empty": { $0[0].slice(axis: 1, start: 3, end: 1) },
    "slice_size_one_axis": { $0[0].slice(axis: 0, start: 0, end: 1) },
    "slice_overlapping_reuse": { $0[0].slice(axis: 0, start: 0, end: 3) * $0[0].slice(axis: 0, start: 1, end: 4) },
    "concatenate_axis0": { concatenate([$0[0], $0[1]], axis: 0) },
    "concatenate_negative_axis": { concatenate([$0[0], $0[1], $0[2]], axis: -1) },
    "concatenate_middle_axis": { concatenate([$0[0], $0[1]], axis: 1) },
    "concatenate_no_grad_part": { concatenate([$0[0], $0[1]]) },
    "concatenate_1d": { concatenate([$0[0], $0[1], $0[2]]) },
    "concatenate_single": { concatenate([$0[0]], axis: 1) },
    "concatenate_reused": { concatenate([$0[0], $0[0]], axis: 1) },
    "concatenate_empty_part": { concatenate([$0[0], $0[1]], axis: 1) },
    "concatenate_then_slice": { concatenate([$0[0], $0[1]]).slice(axis: 0, start: 1, end: 4) },
  ]

  @Test func tableCoversFixtures() { expectCovers("shape", Self.ops) }

  @Test(arguments: fixtureCases("shape"))
  func matchesPyTorch(_ fixture: FixtureCase) throws {
    let op = try #require(Self.ops[fixture.name])
    checkFixture(fixture, op)
  }

  @Test func finiteDifferences() {
    var random = TestRandom(seed: 2)
    let p = random.tensor([2, 3, 4])
    expectGradientsMatchFiniteDifferences([p]) { $0[0].permute([2, 0, 1]) }
    let t = random.tensor([3, 4, 5])
    expectGradientsMatchFiniteDifferences([t]) { $0[0].transpose(0, 2) }
    let m = random.tensor([3, 5])
    expectGradientsMatchFiniteDifferences([m]) { $0[0].T }
    let s = random.tensor([4, 6])
    expectGradientsMatchFiniteDifferences([s]) { $0[0].slice(axis: 1, start: -5, end: 6, step: 2) }
    expectGradientsMatchFiniteDifferences([s]) { $0[0].slice(axis: 0, start: 3, end: 0, step: -2) }
    let a = random.tensor([2, 3])
    let b = random.tensor([2, 1])
    expectGradientsMatchFiniteDifferences([a, b]) { concatenate([$0[0], $0[1], $0[0]], axis: 1) }
  }

  /// Second derivatives through each backward rule (Permute's inverse permute,
  /// Slice's SliceScatter and back, Concatenate's slices): the ops are linear,
  /// so each is squared to give a gradient that depends on the input.
  @Test func secondOrderFiniteDifferences() {
    var random = TestRandom(seed: 3)
    let p = random.tensor([2, 3, 4])
    expectGradientsMatchFiniteDifferences(
      [p], gradientOfFirstInput { $0[0].permute([1, 2, 0]) * $0[0].T.T.permute([1, 2, 0]) })
    let s = random.tensor([5, 3])
    expectGradientsMatchFiniteDifferences(
      [s],
      gradientOfFirstInput { x in
        let slice = x[0].slice(axis: 0, start: 4, end: nil, step: -2)
        return slice * slice
      })
    let a = random.tensor([2, 3])
    let b = random.tensor([2, 2])
    expectGradientsMatchFiniteDifferences(
      [a, b],
      gradientOfFirstInput { x in
        let joined = concatenate([x[0], x[1]], axis: -1)
        return joined * joined * x[1].sum()
      })
  }

  @Test func sliceBoundsFollowPython() {
    // (length, start, end, step) -> Python's len(range(length)[start:end:step]) and first index.
    #expect(resolvedSlice(length: 5, start: nil, end: nil, step: 1) == (0, 5))
    #expect(resolvedSlice(length: 5, start: -2, end: nil, step: 1) == (3, 2))
    #expect(resolvedSlice(length: 5, start: nil, end: nil, step: -1) == (4, 5))
    #expect(resolvedSlice(length: 5, start: 1, end: -1, step: 2) == (1, 2))
    #expect(resolvedSlice(length: 5, start: 10, end: -10, step: -3) == (4, 2))
    #expect(resolvedSlice(length: 5, start: 3, end: 3, step: 1) == (3, 0))
    #expect(resolvedSlice(length: 0, start: nil, end: nil, step: -1).count == 0)
  }

  // Error messages, from a child process (exit tests). Inside an exit test's
  // body, `#line` default arguments resolve to the line of the `#expect` macro
  // (its expansion moves the body), so that is the line the message names.

  @Test func concatenateMismatchNamesEveryShape() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = concatenate([Tensor.zeros([2, 3]), Tensor.zeros([4, 5]), Tensor.zeros([1, 3])], axis: 0)
    }
    expectStandardError(
      result, contains: ["concatenate", "axis 1", "[2, 3], [4, 5], [1, 3]", "ShapeOpsTests.swift:\(line)"])
  }

  @Test func concatenateRankMismatchStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = concatenate([Tensor.zeros([2, 3]), Tensor.zeros([3])], axis: -1)
    }
    expectStandardError(result, contains: ["concatenate", "rank", "[2, 3], [3]", "ShapeOpsTests.swift:\(line)"])
  }

  @Test func permuteWithRepeatedAxisStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3, 4]).permute([0, -1, 2])
    }
    expectStandardError(result, contains: ["permute", "[0, -1, 2]", "[2, 3, 4]", "ShapeOpsTests.swift:\(line)"])
  }

  @Test func transposeBadAxisStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).transpose(0, 2)
    }
    expectStandardError(result, contains: ["transpose", "axis 2", "[2, 3]", "ShapeOpsTests.swift:\(line)"])
  }

  @Test func sliceBadAxisStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).slice(axis: -3, start: 1)
    }
    expectStandardError(result, contains: ["slice", "axis -3", "[2, 3]", "ShapeOpsTests.swift:\(line)"])
  }

  @Test func sliceZeroStepStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).slice(axis: 1, step: 0)
    }
    expectStandardError(result, contains: ["slice", "step", "[2, 3]", "ShapeOpsTests.swift:\(line)"])
  }
}
