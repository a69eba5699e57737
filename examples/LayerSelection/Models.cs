using KdDsl.Models;

namespace KdDsl.Examples.LayerStrategies;

/// <summary>
/// The teacher: 12 residual blocks of width 128 (the paper's 12-layer teacher, scaled down). The generator reads the depth
/// and width from the base(...) constants, so layer maps are checked at compile time without a [LayerStack].
/// </summary>
public sealed class Teacher12 : LayeredMlp
{
    public Teacher12(int inputFeatures, int classCount) : base(inputFeatures, classCount, 12, 128) { }
}

/// <summary>The student: 3 blocks of the same width (the paper's students keep the teacher's width), so no projection.</summary>
public sealed class Student3 : LayeredMlp
{
    public Student3(int inputFeatures, int classCount) : base(inputFeatures, classCount, 3, 128) { }
}
