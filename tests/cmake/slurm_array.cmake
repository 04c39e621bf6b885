# A real single-node SLURM cluster (munged, slurmctld, slurmd from Debian's slurm-wlm) runs the
# sbatch array script of `flowfit submit --slurm` over tests/data/batch; the outputs must match
# a serial run byte for byte (tests/cmake/slurm_array.sh). Skipped, with the reason, when the
# daemons cannot start on the machine.
if(TARGET flowfit)
  add_test(NAME slurm_array_job
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/slurm_array.sh $<TARGET_FILE:flowfit>
                   ${PROJECT_SOURCE_DIR}/tests/data/batch)
  set_tests_properties(slurm_array_job PROPERTIES TIMEOUT 420 SKIP_RETURN_CODE 77
                       LABELS "cli;batch" RUN_SERIAL TRUE)
endif()
