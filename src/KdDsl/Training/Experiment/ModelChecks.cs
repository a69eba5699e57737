using System;
using System.Linq;
using System.Runtime.InteropServices;
using KdDsl.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>Checks, before any training step, that a model accepts the data's inputs and produces one logit per class.</summary>
public static class ModelChecks
{
    /// <summary>
    /// Runs one sample through <paramref name="model"/> in eval mode without gradients and checks the output is [1, ClassCount].
    /// Throws <see cref="InvalidOperationException"/> naming the role, the model type and what was expected.
    /// </summary>
    public static void EnsureFits(nn.Module<Tensor, Tensor> model, string role, string modelType, LabeledDataset data)
    {
        // A Linear first layer is checked by its weight shape first: an operator such as matmul with mismatched shapes
        // aborts the process in TorchSharp 0.107 instead of throwing.
        var firstLinear = model.modules().OfType<Linear>().FirstOrDefault();
        if (firstLinear is not null && firstLinear.weight is { } weight && weight.shape[1] != data.FeatureCount)
            throw new InvalidOperationException(
                $"The {role} {modelType} expects inputs of width {weight.shape[1]} (its first Linear layer), but data set '{data.Name}' " +
                $"has {data.FeatureCount} features per sample. Build the model for {data.FeatureCount} inputs " +
                "(a constructor taking (int inputFeatures, int classCount) receives it automatically).");

        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var sample = data.Features.narrow(0, 0, 1);
            Tensor output;
            try
            {
                output = model.call(sample);
            }
            catch (Exception e) when (e is ExternalException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidOperationException(
                    $"The {role} {modelType} rejected an input of shape [1, {data.FeatureCount}] from data set '{data.Name}': {e.Message}", e);
            }
            if (output.dim() != 2 || output.shape[1] != data.ClassCount)
                throw new InvalidOperationException(
                    $"The {role} {modelType} returned shape [{string.Join(", ", output.shape)}] for one sample; expected [1, {data.ClassCount}] " +
                    $"(one logit per class of data set '{data.Name}').");
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }

    /// <summary>
    /// The weight [K, H] of the model's logit layer: its last Linear layer, which must have <paramref name="classCount"/> outputs.
    /// A detached copy, for KD-sim's class similarities. Throws naming the model when there is none.
    /// </summary>
    public static Tensor LogitLayerWeights(nn.Module model, int classCount, string role, string modelType)
    {
        var last = model.modules().OfType<Linear>().LastOrDefault();
        if (last is null)
            throw new InvalidOperationException($"KD-sim needs the {role}'s logit layer, but {modelType} has no Linear layer.");
        if (last.weight is not { } weight || weight.shape[0] != classCount)
            throw new InvalidOperationException(
                $"KD-sim takes the {role}'s last Linear layer as its logit layer, but in {modelType} it has " +
                $"{last.weight?.shape[0]} outputs, not the {classCount} classes.");
        using var noGrad = no_grad();
        return weight.detach().clone();
    }
}
