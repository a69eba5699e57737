using System;

namespace KdDsl.Data;

/// <summary>The splits an experiment uses: training data, test data, and an optional held-out validation split.</summary>
public sealed record DatasetSplits(LabeledDataset Train, LabeledDataset Test, LabeledDataset? Validation = null) : IDisposable
{
    /// <summary>Checks that the splits agree on input width and class count; throws naming the split that differs.</summary>
    public DatasetSplits Validate()
    {
        Check(Test, "test");
        if (Validation is not null) Check(Validation, "validation");
        return this;
    }

    private void Check(LabeledDataset other, string split)
    {
        if (other.FeatureCount != Train.FeatureCount)
            throw new DatasetException(
                $"The {split} split '{other.Name}' has {other.FeatureCount} features per sample but the training split '{Train.Name}' has {Train.FeatureCount}.");
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
