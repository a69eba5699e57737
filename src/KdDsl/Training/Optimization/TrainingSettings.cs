namespace KdDsl.Training;

/// <summary>The resolved training settings of one run (the <see cref="TrainAttribute"/> values with any <see cref="RunOptions"/> overrides applied).</summary>
public sealed record TrainingSettings(
    int Epochs,
    int BatchSize,
    double LearningRate,
    int Seed,
    OptimizerKind Optimizer,
    double Momentum = 0,
    double WeightDecay = 0,
    int AccumulationSteps = 1,
    double ClipGradientNorm = 0,
    LearningRateSchedule Schedule = LearningRateSchedule.Constant,
    int WarmupSteps = 0,
    int StepDecayEpochs = 10,
    double StepDecayFactor = 0.1);
