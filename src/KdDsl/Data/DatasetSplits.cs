using System;
using System.Linq;

namespace KdDsl.Data;

/// <summary>The splits an experiment uses: training data, test data, and an optional held-out validation split.</summary>
public sealed record DatasetSplits(LabeledDataset Train, LabeledDataset Test, LabeledDataset? Validation = null) : IDisposable
{
    /// <summary>Checks that the splits agree on the per-sample shape, the input dtype and the class count; throws naming the split that differs.</summary>
    public DatasetSplits Validate()
    {
        Check(Test, "test");
        if (Validation is not null) Check(Validation, "validation");
        return this;
    }

    /// <summary>
    /// Holds out <paramref name="fraction"/> of the training samples as the validation split, chosen by a shuffle seeded with
    /// <paramref name="seed"/> (System.Random, so it does not depend on torch's global generator). The test split is shared.
    /// </summary>
    public DatasetSplits WithValidation(double fraction, int seed = 0)
    {
        if (!(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The validation fraction must be in (0, 1).");
        int count = (int)Train.Count;
        int validationCount = (int)Math.Round(count * fraction);
        if (validationCount < 1 || validationCount >= count)
            throw new DatasetException(
                $"A validation fraction of {fraction} of the {count} training samples of '{Train.Name}' leaves no validation or no training data.");
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        var random = new Random(seed);
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        using var validationIndices = TorchSharp.torch.tensor(order[..validationCount].Select(i => (long)i).ToArray());
        using var trainIndices = TorchSharp.torch.tensor(order[validationCount..].Select(i => (long)i).ToArray());
        return new DatasetSplits(
            Train.Select(trainIndices, Train.Name + " (training part)"),
            Test,
            Train.Select(validationIndices, Train.Name + " (validation part)"));
    }

    private void Check(LabeledDataset other, string split)
    {
        if (!other.SampleShape.SequenceEqual(Train.SampleShape))
            throw new DatasetException(other.IsFlat && Train.IsFlat
                ? $"The {split} split '{other.Name}' has {other.FeatureCount} features per sample but the training split '{Train.Name}' has {Train.FeatureCount}."
                : $"The {split} split '{other.Name}' has samples of shape {LabeledDataset.ShapeText(other.SampleShape)} but the training split " +
                  $"'{Train.Name}' has {LabeledDataset.ShapeText(Train.SampleShape)}; every split must have the same per-sample shape.");
        if (other.FeatureType != Train.FeatureType)
            throw new DatasetException(
                $"The {split} split '{other.Name}' holds {other.FeatureType} inputs but the training split '{Train.Name}' holds {Train.FeatureType}.");
        if (other.ClassCount != Train.ClassCount)
            throw new DatasetException(
                $"The {split} split '{other.Name}' has {other.ClassCount} classes but the training split '{Train.Name}' has {Train.ClassCount}.");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
        Validation?.Dispose();
    }
}
