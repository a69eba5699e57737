using System;
using KdDsl.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>Mini-batch order and slicing. The order of each epoch depends only on (seed, epoch), never on global RNG state.</summary>
public static class Batches
{
    /// <summary>Steps in one epoch; the last batch may be smaller.</summary>
    public static int StepsPerEpoch(long sampleCount, int batchSize) => (int)((sampleCount + batchSize - 1) / batchSize);

    /// <summary>A random permutation of the sample indices for <paramref name="epoch"/>.</summary>
    public static Tensor EpochOrder(long sampleCount, int seed, int epoch)
    {
        // Mix seed and epoch so consecutive seeds do not produce shifted copies of the same orders.
        ulong mixed = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)epoch * 0xBF58476D1CE4E5B9UL);
        using var generator = new Generator(mixed);
        return randperm(sampleCount, generator: generator);
    }

    /// <summary>The inputs and labels of batch <paramref name="stepIndex"/> (0-based) in <paramref name="order"/>, on <paramref name="device"/>.</summary>
    public static (Tensor Inputs, Tensor Labels) Take(LabeledDataset data, Tensor order, int stepIndex, int batchSize, Device device) =>
        Take(data, Indices(order, stepIndex, batchSize), device);

    /// <summary>The sample indices of batch <paramref name="stepIndex"/> (0-based) in <paramref name="order"/>.</summary>
    public static Tensor Indices(Tensor order, int stepIndex, int batchSize)
    {
        long start = (long)stepIndex * batchSize;
        return order.narrow(0, start, Math.Min(batchSize, order.shape[0] - start));
    }

    /// <summary>The inputs and labels at <paramref name="indices"/>, on <paramref name="device"/>.</summary>
    public static (Tensor Inputs, Tensor Labels) Take(LabeledDataset data, Tensor indices, Device device) =>
        (data.Features.index_select(0, indices).to(device), data.Labels.index_select(0, indices).to(device));
}
