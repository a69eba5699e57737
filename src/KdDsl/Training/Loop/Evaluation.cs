using System;
using KdDsl.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>Evaluation of a classifier on a data set.</summary>
public static class Evaluation
{
    /// <summary>Fraction of samples whose arg-max logit equals the label, in eval mode without gradients. The model's mode is restored.</summary>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, LabeledDataset data, int batchSize, Device device)
    {
        bool wasTraining = model.training;
        model.eval();
        long correct = 0;
        using (no_grad())
        {
            for (long start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long length = System.Math.Min(batchSize, data.Count - start);
                var inputs = data.Features.narrow(0, start, length).to(device);
                var labels = data.Labels.narrow(0, start, length).to(device);
                correct += Call(model, inputs, data, start, length).argmax(1).eq(labels).sum().item<long>();
            }
        }
        if (wasTraining) model.train();
        return (double)correct / data.Count;
    }

    /// <summary>The model's logits for every sample of <paramref name="data"/>, [N, K] float32 on the CPU, in eval mode without gradients.</summary>
    public static Tensor Logits(nn.Module<Tensor, Tensor> model, LabeledDataset data, int batchSize, Device device)
    {
        bool wasTraining = model.training;
        model.eval();
        var parts = new System.Collections.Generic.List<Tensor>();
        try
        {
            using (no_grad())
            {
                for (long start = 0; start < data.Count; start += batchSize)
                {
                    // One scope per batch: a conv model's intermediate activations (100+ MB per batch for a ResNet) are freed
                    // here, not left to the finalizer; only the batch's logits leave it.
                    using var scope = NewDisposeScope();
                    long length = System.Math.Min(batchSize, data.Count - start);
                    var inputs = data.Features.narrow(0, start, length).to(device);
                    parts.Add(Call(model, inputs, data, start, length).cpu().DetachFromDisposeScope());
                }
            }
            return cat(parts, 0);
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
            if (wasTraining) model.train();
        }
    }

    /// <summary>The model's output for one evaluation batch; a failure names the data set (the split) and the samples.</summary>
    private static Tensor Call(nn.Module<Tensor, Tensor> model, Tensor inputs, LabeledDataset data, long start, long length)
    {
        try
        {
            return model.call(inputs);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"Evaluating the model on '{data.Name}' failed at samples {start}..{start + length - 1}: {e.Message}", e);
        }
    }

    /// <summary>Mean cross-entropy of the model on <paramref name="data"/>.</summary>
    public static double CrossEntropy(nn.Module<Tensor, Tensor> model, LabeledDataset data, int batchSize, Device device)
    {
        using var scope = NewDisposeScope();
        var logits = Logits(model, data, batchSize, device);
        return nn.functional.cross_entropy(logits, data.Labels).item<float>();
    }
}
