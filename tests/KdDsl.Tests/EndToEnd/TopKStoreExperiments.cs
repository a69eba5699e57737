using KdDsl;

namespace KdDsl.Tests.EndToEnd;

// The top-k teacher store in generated experiments (TopKStoreRunTests): the same teacher, data and terms as the dense cached
// peer, with every class kept (k = K: the run must equal the dense one) and with 3 of the 10.

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[Teacher(typeof(TinyTeacher), Epochs = 2, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 3)]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, Seed = 11)]
public partial class DenseCachedPeerKd
{
}

#pragma warning disable KD0060 // every class on purpose: the store must then give the dense run
[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[Teacher(typeof(TinyTeacher), Epochs = 2, CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = 10,
         CacheRemainder = SparseRemainder.Spread, CacheDirectory = "kddsl-test-artifacts/topk-runs")]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 3)]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, Seed = 11)]
public partial class EveryClassTopKKd
{
}
#pragma warning restore KD0060

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[Teacher(typeof(TinyTeacher), Epochs = 2, CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = 3,
         CacheRemainder = SparseRemainder.Spread, CacheDirectory = "kddsl-test-artifacts/topk-runs")]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 3)]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, Seed = 11)]
public partial class TopThreeKd
{
}

// A calibrated teacher: the store keeps z / T* (and its normalisers), as the dense cache's source divides every batch by T*.

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100, ValidationFraction = 0.2)]
[Teacher(typeof(TinyTeacher), Epochs = 2, CacheOutputs = TeacherOutputCaching.Memory)]
[CalibratedTeacher]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 2)]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, Seed = 12)]
public partial class CalibratedDensePeerKd
{
}

#pragma warning disable KD0060 // every class on purpose, as above
[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100, ValidationFraction = 0.2)]
[Teacher(typeof(TinyTeacher), Epochs = 2, CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = 10,
         CacheRemainder = SparseRemainder.Spread, CacheDirectory = "kddsl-test-artifacts/topk-runs")]
[CalibratedTeacher]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 2)]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, Seed = 12)]
public partial class CalibratedEveryClassTopKKd
{
}
#pragma warning restore KD0060
