namespace OGan.Evaluation;

/// <summary>Small dense symmetric matrices in double precision: cyclic Jacobi eigendecomposition and functions of them.</summary>
internal static class SymmetricMatrix
{
    /// <summary>Eigenvalues and eigenvectors (columns) of symmetric <paramref name="a"/>.</summary>
    public static (double[] Values, double[,] Vectors) Eigen(double[,] a)
    {
        var n = a.GetLength(0);
        var m = (double[,])a.Clone();
        var v = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            v[i, i] = 1;
        }

        for (var sweep = 0; sweep < 100; sweep++)
        {
            var off = 0.0;
            var diagonal = 0.0;
            for (var i = 0; i < n; i++)
            {
                diagonal += m[i, i] * m[i, i];
                for (var j = i + 1; j < n; j++)
                {
                    off += m[i, j] * m[i, j];
                }
            }

            if (off <= 1e-26 * Math.Max(diagonal, 1e-300))
            {
                break;
            }

            for (var p = 0; p < n - 1; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    if (m[p, q] == 0)
                    {
                        continue;
                    }

                    var theta = (m[q, q] - m[p, p]) / (2 * m[p, q]);
                    var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    var c = 1 / Math.Sqrt(t * t + 1);
                    var s = t * c;
                    for (var k = 0; k < n; k++)
                    {
                        var (mkp, mkq) = (m[k, p], m[k, q]);
                        m[k, p] = c * mkp - s * mkq;
                        m[k, q] = s * mkp + c * mkq;
                    }

                    for (var k = 0; k < n; k++)
                    {
                        var (mpk, mqk) = (m[p, k], m[q, k]);
                        m[p, k] = c * mpk - s * mqk;
                        m[q, k] = s * mpk + c * mqk;
                    }

                    for (var k = 0; k < n; k++)
                    {
                        var (vkp, vkq) = (v[k, p], v[k, q]);
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
            }
        }

        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = m[i, i];
        }

        return (values, v);
    }

    public static double[] Eigenvalues(double[,] a) => Eigen(a).Values;

    /// <summary>V f(Λ) Vᵀ; negative eigenvalues (rounding) are clamped to 0 first.</summary>
    public static double[,] Apply(double[,] a, Func<double, double> f)
    {
        var (values, vectors) = Eigen(a);
        var n = values.Length;
        var result = new double[n, n];
        for (var k = 0; k < n; k++)
        {
            var fk = f(Math.Max(values[k], 0));
            for (var i = 0; i < n; i++)
            {
                var vik = vectors[i, k] * fk;
                for (var j = 0; j < n; j++)
                {
                    result[i, j] += vik * vectors[j, k];
                }
            }
        }

        return result;
    }

    public static double[,] Multiply(double[,] a, double[,] b)
    {
        var n = a.GetLength(0);
        var result = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < n; k++)
            {
                var aik = a[i, k];
                for (var j = 0; j < n; j++)
                {
                    result[i, j] += aik * b[k, j];
                }
            }
        }

        return result;
    }
}
