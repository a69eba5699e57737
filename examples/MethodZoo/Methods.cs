using KdDsl.Models;

namespace KdDsl.Examples.MethodZoo;

// The method comparison of issue #18 on Fashion-MNIST images: one experiment per method, all with the same teacher declaration
// (ResNet-20, 5 epochs, Adam 3e-3 cosine, batch 128: one teacher checkpoint per seed serves every method of that seed), the
// same student (ResNet-8, a third of the teacher's parameters, as torchdistill's ResNet-34 -> ResNet-18 is about half) and
// the same student training ([Train] below). They differ only in their terms. Weights and temperatures are the methods'
// published CIFAR/ImageNet settings where one exists (each class says which), fixed before any run. Program.cs sweeps over
// them through the sweep store (MethodSweep), so `sweep`, `report`, shards and Slurm work as for any sweep.
//
// ResNet-8 and ResNet-20 have the same three stages (16@28x28, 32@14x14, 64@7x7 on 28x28 images), so feature methods match
// stage i to stage i without connectors or resizing. The teacher's outputs are cached in memory where that is small (logits;
// the last stage's 64@7x7 maps); attention transfer and FitNets read earlier, larger maps and run the teacher live.

/// <summary>The student trained alone with cross-entropy (no teacher).</summary>
[Distillation]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy)]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class Alone { }

/// <summary>Hinton et al.: 0.5 CE + 0.5 T^2 KL, T = 4 (torchdistill's CIFAR/ImageNet KD setting uses alpha 0.5, T 1 to 4).</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4)]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class Kd { }

/// <summary>Decoupled KD (Zhao et al. 2022): CE + DKD with alpha 1, beta 8, T 4 (the authors' CIFAR-100 setting).</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.DecoupledKd, Temperature = 4, TargetClassWeight = 1, NonTargetClassWeight = 8)]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class Dkd { }

/// <summary>DIST (Huang et al. 2022): CE + DIST with beta = gamma = 1, T = 4 (the CIFAR setting of the authors' ports).</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.Dist, Temperature = 4)]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class Dist { }

/// <summary>KD with logit standardisation (Sun et al. 2024): CE + 9 T^2 KL of z-scored logits, base T = 2 (the paper's commands).</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Weight = 9, Temperature = 2, StandardizeLogits = true)]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class KdLogitStandardization { }

/// <summary>The reverse KL in KD's place (mode-seeking; MiniLLM, GKD): 0.5 CE + 0.5 T^2 KL(p_s || p_t), T = 4.</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.ReverseKl, Weight = 0.5, Temperature = 4)]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class ReverseKd { }

/// <summary>Symmetric KL (Jeffreys) in KD's place, 0.5 CE + 0.25 (forward + reverse), T = 4: the mean of the two directions.</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.SymmetricKl, Weight = 0.25, Temperature = 4)]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class SymmetricKd { }

/// <summary>GKD's skewed Jensen-Shannon (beta 0.1) in KD's place, 0.5 CE + 0.5 T^2 JSD_beta, T = 4.</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.SkewedJensenShannon, Weight = 0.5, Temperature = 4, Skew = 0.1)]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class SkewedJsKd { }

/// <summary>Total variation in KD's place, 0.5 CE + 0.5 TV at T = 1 (f-DISTILL's form has no temperature).</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.TotalVariation, Weight = 0.5, Temperature = 1)]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class TotalVariationKd { }

/// <summary>Attention transfer (Zagoruyko and Komodakis): CE + AT on the three stages, beta/2 = 500 per group (Weight 500 x 3 pairs).</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5)]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.Explicit, Weight = 1500, Distance = HiddenDistance.AttentionTransfer)]
[LayerMap("stages.0", "stages.0")]
[LayerMap("stages.1", "stages.1")]
[LayerMap("stages.2", "stages.2")]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class AttentionTransfer { }

/// <summary>FitNets in two stages: the hint on stages.1 trains the stem and stages 0-1 (2 epochs), then KD trains all (5 epochs).</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5)]
[Student(typeof(ResNet8))]
[Stage(1, Epochs = 2, Trains = new[] { "stem", "stages.0", "stages.1" })]
[Stage(2)]
[MatchLayers(LayerSelection.Explicit, Weight = 1, Distance = HiddenDistance.Mse, Stage = 1)]
[LayerMap("stages.1", "stages.1")]
[Loss(LossKind.CrossEntropy, Weight = 0.5, Stage = 2)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4, Stage = 2)]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class FitNets { }

/// <summary>Similarity-preserving KD (Tung and Mori): CE + SP on the last stage, gamma 3000.</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.Explicit, Weight = 3000, Distance = HiddenDistance.SimilarityPreserving)]
[LayerMap("stages.2", "stages.2")]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class SimilarityPreserving { }

/// <summary>Relational KD (Park et al.): CE + RKD-DA on the pooled last stage, lambda_D 25 and lambda_A 50.</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.Explicit, Weight = 25, Distance = HiddenDistance.RelationalDistanceAngle)]
[LayerMap("stages.2", "stages.2")]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class Relational { }

/// <summary>Probabilistic knowledge transfer (Passalis and Tefas): CE + PKT on the pooled last stage, weight 30000 (CRD's benchmark code).</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.Explicit, Weight = 30000, Distance = HiddenDistance.ProbabilisticTransfer)]
[LayerMap("stages.2", "stages.2")]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class ProbabilisticTransfer { }

/// <summary>Teacher-free KD, regularisation form (Yuan et al.): CE 0.05 + 0.95 KL from the virtual teacher (a 0.99, T 40, paper form).</summary>
[Distillation]
[Student(typeof(ResNet8))]
[Loss(LossKind.CrossEntropy, Weight = 0.05)]
[Loss(LossKind.TfKdRegularization, Weight = 0.95, TargetProbability = 0.99, Temperature = 40, TfKdForm = TfKdForm.Paper)]
[Train(Epochs = 5, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class TeacherFree { }
