using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace KdDsl.Data;

/// <summary>
/// Splits one data set into train, validation and test with the class proportions kept: each class gives
/// round(fraction x its size) samples to the test and validation splits (so each split's count per class is within one
/// sample of the exact proportion) and the rest to training. Seeded (System.Random, never torch's generator): the same seed
/// gives the same split. The splits are disjoint, cover every sample, and hold copies; the input stays the caller's.
/// </summary>
public static class StratifiedSplit
{
    /// <summary>
    /// Splits <paramref name="all"/>; with <paramref name="validationFraction"/> 0 there is no validation split. Throws
    /// <see cref="DatasetException"/> when a split would be empty.
    /// </summary>
    public static DatasetSplits Split(LabeledDataset all, double testFraction = 0.2, double validationFraction = 0.1, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(all);
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must lie strictly between 0 and 1.");
        if (!(validationFraction >= 0 && testFraction + validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction,
                "The validation fraction must be at least 0, and the test and validation fractions together below 1.");

        long[] labels = all.Labels.cpu().data<long>().ToArray();
        var byClass = new List<long>[all.ClassCount];
        for (int c = 0; c < byClass.Length; c++) byClass[c] = [];
        for (long i = 0; i < labels.Length; i++) byClass[labels[i]].Add(i);

        var rng = new Random(seed);
        List<long> train = [], validation = [], test = [];
        foreach (var members in byClass)
        {
            Shuffle(members, rng);
            int testCount = (int)Math.Round(members.Count * testFraction, MidpointRounding.AwayFromZero);
            int validationCount = Math.Min(members.Count - testCount,
                (int)Math.Round(members.Count * validationFraction, MidpointRounding.AwayFromZero));
            test.AddRange(members.Take(testCount));
            validation.AddRange(members.Skip(testCount).Take(validationCount));
            train.AddRange(members.Skip(testCount + validationCount));
        }
        if (train.Count == 0 || test.Count == 0 || (validationFraction > 0 && validation.Count == 0))
            throw new DatasetException(
                $"Data set '{all.Name}' has {all.Count} samples; test {testFraction} and validation {validationFraction} leave " +
                $"{train.Count} for training, {validation.Count} for validation and {test.Count} for testing.");
        Shuffle(train, rng);
        Shuffle(validation, rng);
        Shuffle(test, rng);

        LabeledDataset Part(List<long> indices, string what)
        {
            using var index = tensor(indices.ToArray());
            return all.Select(index.to(all.Features.device), $"{all.Name} ({what})");
        }
        return new DatasetSplits(Part(train, "train"), Part(test, "test"), validationFraction > 0 ? Part(validation, "validation") : null);
    }

    private static void Shuffle(List<long> items, Random rng)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
