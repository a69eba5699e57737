namespace KdDsl.Training;

/// <summary>
/// The resolved training settings of one run (the <see cref="TrainAttribute"/> values with any <see cref="RunOptions"/> overrides
/// applied). Build it with <see cref="From"/>: the defaults are the attribute's, written there alone.
/// </summary>
public sealed record TrainingSettings(
    int Epochs,
    int BatchSize,
    double LearningRate,
    int Seed,
    OptimizerKind Optimizer,
    double Momentum,
    double WeightDecay,
    int AccumulationSteps,
    double ClipGradientNorm,
    LearningRateSchedule Schedule,
    int WarmupSteps,
    int StepDecayEpochs,
    double StepDecayFactor)
{
    /// <summary>
    /// The augmentation every training loop (teacher, student alone, distillation) applies to its training batches, seeded with
    /// (<see cref="Seed"/>, epoch, step); null: none. Set from <see cref="AugmentAttribute"/> by <see cref="InputPipeline.Apply"/>.
    /// </summary>
    public KdDsl.Data.ImageAugmentation? Augmentation { get; init; }

    /// <summary>
    /// The settings a <c>[Train]</c> attribute declares, its own defaults where it says nothing. The generated
    /// <c>DeclaredSettings</c> calls this with the arguments as written, so the defaults live in the attribute alone.
    /// </summary>
    public static TrainingSettings From(TrainAttribute train) => new(
        train.Epochs, train.BatchSize, train.LearningRate, train.Seed, train.Optimizer, train.Momentum, train.WeightDecay,
        train.AccumulationSteps, train.ClipGradientNorm, train.Schedule, train.WarmupSteps, train.StepDecayEpochs, train.StepDecayFactor);
}
