import Foundation
import Testing

@testable import Micrograd

/// Which tensors require grad and keep their history: propagation from
/// inputs, `noGrad`, `detach`.
@Suite struct GradModeTests {
  @Test func outputRequiresGradIffAnInputDoes() {
    let tracked = Tensor([1, 2], requiresGrad: true)
    let plain = Tensor([3, 4])
    let outputs: [(Tensor, Bool)] = [
      (tracked + plain, true), (plain + tracked, true), (plain * plain, false),
      (exp(plain), false), (exp(tracked), true), (select(plain .> 3, plain, tracked), true),
      (select(tracked .> 1, plain, plain), false), (matmul(plain, tracked), true), (plain.sum(), false),
    ]
    for (output, requiresGrad) in outputs {
      #expect(output.requiresGrad == requiresGrad, "\(output.opName)")
      #expect(output.isLeaf == !requiresGrad, "\(output.opName)")
      #expect(output.inputs.isEmpty == !requiresGrad, "\(output.opName)")
    }
    // A chain of plain ops keeps nothing, even when it ends at a tracked tensor.
    let y = (plain * 2 + 1).pow(2) * tracked
    #expect(y.inputs.count == 2)
    #expect(y.inputs[0].isLeaf)
  }

  @Test func noGradScopeRecordsNothing() {
    let x = Tensor([1, 2], requiresGrad: true)
    let inside = noGrad { tanh(x * 2).sum() }
    #expect(!inside.requiresGrad)
    #expect(inside.isLeaf)
    #expect(abs(Double(inside.item()) - (Foundation.tanh(2) + Foundation.tanh(4))) <= 1e-6)
    let nested = noGrad { noGrad { x * x } + x }
    #expect(!nested.requiresGrad)
    let after = x * x
    #expect(after.requiresGrad, "recording resumes after the scope")
    #expect(GradMode.isEnabled)
  }

  @Test func detachStopsGradientAndSharesValues() {
    let x = Tensor([1, 2, 3], requiresGrad: true)
    let y = x * x
    let frozen = y.detach()
    #expect(!frozen.requiresGrad)
    #expect(frozen.isLeaf)
    #expect(frozen.scalars == y.scalars)
    (x * frozen).sum().backward()
    #expect(x.grad?.scalars == [1, 4, 9], "no gradient flows through the detached factor")
    y.updateValues { $0[0] = 7 }
    #expect(frozen.scalars[0] == 7, "detach shares storage, like PyTorch")
  }

  @Test func requiresGradCanBeTurnedOnForALeafOnly() {
    let x = Tensor([1, 2])
    let y = x * 3
    #expect(!y.requiresGrad)
    x.requiresGrad = true
    #expect(!y.requiresGrad, "ops already made are not retroactively tracked")
    (x * 3).sum().backward()
    #expect(x.grad?.scalars == [3, 3])
  }
}
