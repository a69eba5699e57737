using System;
using System.Collections.Generic;
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
    /// Runs one sample of <paramref name="data"/> (sample 0, a batch of 1 of the data's <see cref="LabeledDataset.SampleShape"/>)
    /// through <paramref name="model"/> in eval mode without gradients and checks the output is [1, ClassCount]; the model's
    /// mode is restored. Eval mode also keeps BatchNorm (which refuses a training batch of 1) and dropout out of it, so the
    /// check draws nothing from the global random generator. Throws <see cref="InvalidOperationException"/> naming the role,
    /// the model type, the data's sample shape, and, when the forward pass fails, the layer it failed in (the innermost
    /// submodule entered through <c>call()</c> that had not returned) with the shape that reached it and TorchSharp's message.
    /// </summary>
    /// <remarks>
    /// One shape check runs before the forward pass: when the data is flat ([N, D]) and the model's first layer (the first
    /// module, in registration order, that holds parameters of its own) is a <c>Linear</c>, its in-features must equal D.
    /// A mismatched <c>torch.matmul</c> aborts the process in TorchSharp 0.107 instead of throwing, and a model built on
    /// Linear layers may multiply by hand; Linear, convolutions and the other layers throw catchable exceptions.
    /// </remarks>
    public static void EnsureFits(nn.Module<Tensor, Tensor> model, string role, string modelType, LabeledDataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        Nnpack.Disable();
        string sampleShape = LabeledDataset.ShapeText(data.SampleShape);
        if (data.IsFlat && FirstLayer(model) is Linear firstLinear && firstLinear.weight is { } weight && weight.shape[1] != data.FeatureCount)
            throw new InvalidOperationException(
                $"The {role} {modelType} expects inputs of width {weight.shape[1]} (its first layer is a Linear), but data set '{data.Name}' " +
                $"has {data.FeatureCount} features per sample. Build the model for {data.FeatureCount} inputs " +
                "(a constructor taking (int inputFeatures, int classCount) receives it automatically).");

        bool wasTraining = model.training;
        var tracker = new LayerTracker(model);
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
            catch (Exception e) when (e is ExternalException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
            {
                throw new InvalidOperationException(
                    $"The {role} {modelType} rejected an input of shape {LabeledDataset.ShapeText(sample.shape)} ({data.FeatureType}, one sample of data set " +
                    $"'{data.Name}', whose samples have shape {sampleShape}){tracker.Describe()}: {e.Message.Trim()}{Hint(model, data)}", e);
            }
            if (output.dim() != 2 || output.shape[0] != 1 || output.shape[1] != data.ClassCount)
                throw new InvalidOperationException(
                    $"The {role} {modelType} returned shape {LabeledDataset.ShapeText(output.shape)} for one sample of shape {sampleShape}; " +
                    $"expected [1, {data.ClassCount}] (one logit per class of data set '{data.Name}').");
        }
        finally
        {
            tracker.Dispose();
            if (wasTraining) model.train();
        }
    }

    // What to do when flat data meets a convolutional model, the likeliest mistake with image models.
    private static string Hint(nn.Module model, LabeledDataset data) =>
        data.IsFlat && model.modules().Any(m => m is Conv1d or Conv2d or Conv3d)
            ? " The data is flat but the model is convolutional: load images as [N, C, H, W] (e.g. IdxLayout.Images for MNIST-style files)."
            : "";

    // The first module, in registration order depth first, that holds parameters of its own (not through a submodule).
    // (named_modules() is breadth first: a classifier registered after a Sequential of convolutions would come first.)
    private static nn.Module? FirstLayer(nn.Module module)
    {
        if (module.parameters(recurse: false).Any()) return module;
        foreach (var (_, child) in module.named_children())
            if (FirstLayer(child) is { } first) return first;
        return null;
    }

    // Forward hooks on every submodule of the model, to tell which layer a failing forward pass was in: a pre-hook pushes the
    // layer, a forward hook pops it, so after an exception the deepest layer still on the stack is where it happened.
    private sealed class LayerTracker : IDisposable
    {
        private readonly List<Action> removers = new();
        private readonly List<(string Path, string InputShape)> stack = new();

        public LayerTracker(nn.Module<Tensor, Tensor> model)
        {
            foreach (var (path, module) in model.named_modules())
            {
                if (path.Length == 0 || module is not nn.Module<Tensor, Tensor> layer) continue;
                string name = $"'{path}' ({module.GetType().Name})";
                var pre = layer.register_forward_pre_hook((_, input) =>
                {
                    stack.Add((name, LabeledDataset.ShapeText(input.shape)));
                    return input;
                });
                removers.Add(pre.remove);
                var post = layer.register_forward_hook((_, _, output) =>
                {
                    if (stack.Count > 0) stack.RemoveAt(stack.Count - 1);
                    return output;
                });
                removers.Add(post.remove);
            }
        }

        /// <summary>" in layer 'x' (Conv2d), which received shape [...]", or "" when no layer was entered.</summary>
        public string Describe() =>
            stack.Count > 0 ? $" in layer {stack[^1].Path}, which received shape {stack[^1].InputShape}" : "";

        public void Dispose()
        {
            foreach (var remove in removers) remove();
            removers.Clear();
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
