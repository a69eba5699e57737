using KdDsl.Losses;

namespace KdDsl.Examples.PartialKd;

// Tang et al., "Understanding and Improving Knowledge Distillation" (arXiv 2002.03532): what the teacher's knowledge consists of,
// on synthetic data whose class correlation tau the program sweeps. Every distillation row uses Tang et al.'s loss
// (1 - l) * H(y, p_s) + l * H(rho, p_s) with l = 0.5 and only rho changing: rho = p_t (KD), the instance part (KD-pt), the class
// similarity of the teacher's logit-layer weights (KD-sim), both (KD-pt+sim), or the teacher's top 3 classes (KD-topk). Teacher
// probabilities are taken at T = 1 (p = softmax(z), as kd-methods.md writes them), so KD's KL term is H(p_t, p_s) minus a constant.
// All rows share [Train]: Adam, learning rate 1e-3, batch 128, 15 epochs (teacher and student). The program passes the data
// (Run(DatasetSplits, RunOptions)) and repeats each row for seeds 42, 43, 44. Every setting was fixed before any run;
// docs/experiments/partial-kd.md says which come from the paper and which are this example's choices.

/// <summary>The student alone, cross-entropy.</summary>
[Distillation]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy)]
[Train(Epochs = 15, BatchSize = 128, LearningRate = 1e-3, Seed = 42)]
public partial class StudentAlone
{
}

/// <summary>Label smoothing, e = 0.1 spread over all K classes (the "universe" knowledge alone).</summary>
[Distillation]
[Student(typeof(StudentMlp))]
[Loss(LossKind.LabelSmoothing, Epsilon = 0.1)]
[Train(Epochs = 15, BatchSize = 128, LearningRate = 1e-3, Seed = 42)]
public partial class SmoothedLabels
{
}

/// <summary>KD: rho = p_t.</summary>
[Distillation]
[Teacher(typeof(TeacherMlp))]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 1)]
[Train(Epochs = 15, BatchSize = 128, LearningRate = 1e-3, Seed = 42)]
public partial class FullKd
{
}

/// <summary>KD-pt (instance knowledge only): rho_c = p_t,c, the rest spread uniformly.</summary>
[Distillation]
[Teacher(typeof(TeacherMlp))]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KdPt, Weight = 0.5, Temperature = 1)]
[Train(Epochs = 15, BatchSize = 128, LearningRate = 1e-3, Seed = 42)]
public partial class InstanceKd
{
}

/// <summary>KD-sim (domain knowledge only): rho = softmax(W_c . W^T / alpha) over the teacher's L2-normalised logit-layer rows, alpha = 0.2.</summary>
[Distillation]
[Teacher(typeof(TeacherMlp))]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KdSim, Weight = 0.5, SimilarityTemperature = 0.2)]
[Train(Epochs = 15, BatchSize = 128, LearningRate = 1e-3, Seed = 42)]
public partial class SimilarityKd
{
}

/// <summary>KD-pt+sim: KdDsl's KdPtSim, the average of the KD-pt and KD-sim targets (alpha = 0.2).</summary>
[Distillation]
[Teacher(typeof(TeacherMlp))]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KdPtSim, Weight = 0.5, Temperature = 1, SimilarityTemperature = 0.2)]
[Train(Epochs = 15, BatchSize = 128, LearningRate = 1e-3, Seed = 42)]
public partial class InstanceSimilarityKd
{
}

/// <summary>KD-topk, k = 3: the teacher's top 3 probabilities kept, the remaining mass spread uniformly over the other 7 classes.</summary>
[Distillation]
[Teacher(typeof(TeacherMlp))]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KdTopK, Weight = 0.5, Temperature = 1, TopK = 3, TopKForm = TopKForm.SpreadRemainder)]
[Train(Epochs = 15, BatchSize = 128, LearningRate = 1e-3, Seed = 42)]
public partial class TopKSpreadKd
{
}

/// <summary>KD-topk, k = 3, renormalised: the teacher's top 3 probabilities rescaled to sum to 1, the other classes 0.</summary>
[Distillation]
[Teacher(typeof(TeacherMlp))]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KdTopK, Weight = 0.5, Temperature = 1, TopK = 3, TopKForm = TopKForm.Renormalize)]
[Train(Epochs = 15, BatchSize = 128, LearningRate = 1e-3, Seed = 42)]
public partial class TopKRenormalizedKd
{
}
