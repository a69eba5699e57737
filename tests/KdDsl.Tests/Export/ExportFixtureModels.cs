using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Tests.Export;

/// <summary>
/// The student whose export PyTorch checks (Fixtures/check_exported_student.py mirrors it): Linear(8, 16), BatchNorm1d(16),
/// ReLU, Linear(16, 3). Its values come from <see cref="Fill"/>, not the random generator, so they are the same everywhere.
/// </summary>
public sealed class ExportedStudent : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly BatchNorm1d bn;
    private readonly Linear fc2;

    public ExportedStudent() : base(nameof(ExportedStudent))
    {
        fc1 = nn.Linear(8, 16);
        bn = nn.BatchNorm1d(16);
        fc2 = nn.Linear(16, 3);
        RegisterComponents();
        Fill(this);
    }

    public override Tensor forward(Tensor input) => fc2.call(nn.functional.relu(bn.call(fc1.call(input))));

    /// <summary>The fixed input the logits are compared on: <c>linspace(-2, 2, 4 * 8).reshape(4, 8)</c>.</summary>
    public static Tensor Inputs() => linspace(-2, 2, 4 * 8).reshape(4, 8);

    /// <summary>Every floating-point entry of the state_dict set to <c>0.5 sin(0.7 i + k)</c> (variances to 0.5 + that squared).</summary>
    public static void Fill(nn.Module model)
    {
        using var noGrad = no_grad();
        int k = 0;
        foreach (var (name, tensor) in model.state_dict())
        {
            k++;
            if (!tensor.is_floating_point()) continue;
            using var index = arange(tensor.numel(), dtype: ScalarType.Float32).reshape(tensor.shape);
            using var values = (index * 0.7 + k).sin() * 0.5;
            if (name.EndsWith("running_var", StringComparison.Ordinal)) tensor.copy_(values.square() + 0.5);
            else tensor.copy_(values);
        }
    }
}
