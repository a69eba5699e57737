using KdDsl;

namespace KdDsl.Examples.LayerStrategies;

// Yu et al. (2025), scaled down: L = CE + KL(T = 1, batchmean) + 3 * L_hid, L_hid = mean over matched pairs of the squared L2
// distance between L2-normalised hidden states (2 - 2 cos, in [0, 4]; without normalisation the residual stream's norm grows
// with depth and the term, in the hundreds, swamped CE and KL). The strategy is a sweep axis: one trial per strategy, every
// trial distilling from the same teacher (trained by the first run of an invocation, then loaded from its checkpoint). Each
// trial also trains the student alone from the same weights (the baseline row of the table).

[Distillation]
[Teacher(typeof(Teacher12), Epochs = 10, Checkpoint = "artifacts/layer-selection/teacher12.ckpt")]
[Student(typeof(Student3))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence)]
[MatchLayers(LayerSelection.None, Weight = 3, Normalization = HiddenNormalization.L2)]
[Sweep(SweepAxes.LayerSelection, LayerSelection.None, LayerSelection.Forward, LayerSelection.Reverse, LayerSelection.Random, LayerSelection.AllToOne)]
[Train(Epochs = 8, BatchSize = 128, LearningRate = 1e-3, Seed = 0, StudentBaseline = true)]
public partial class StrategySweep { }

// The same sweep with every student (and the student alone) starting from the teacher's blocks, as the paper's students do:
// student block i <- teacher block round(i*12/3) = blocks 3, 7, 11, whatever the strategy (--init-from-teacher).

[Distillation]
[Teacher(typeof(Teacher12), Epochs = 10, Checkpoint = "artifacts/layer-selection/teacher12.ckpt")]
[Student(typeof(Student3))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence)]
[MatchLayers(LayerSelection.None, Weight = 3, Normalization = HiddenNormalization.L2, InitializeFromTeacher = true)]
[Sweep(SweepAxes.LayerSelection, LayerSelection.None, LayerSelection.Forward, LayerSelection.Reverse, LayerSelection.Random, LayerSelection.AllToOne)]
[Train(Epochs = 8, BatchSize = 128, LearningRate = 1e-3, Seed = 0, StudentBaseline = true)]
public partial class StrategySweepFromTeacher { }
