import type { ScriptLanguage } from './script-task';

/** Default images and script launchers per language (core-spec §4.8). */
export const SHELL: ScriptLanguage = { defaultImage: 'ubuntu', scriptFile: 'script.sh', runScript: (f) => `/bin/sh ${f}` };
export const PYTHON: ScriptLanguage = { defaultImage: 'python:3.11-slim', scriptFile: 'script.py', runScript: (f) => `python ${f}` };
export const NODE: ScriptLanguage = { defaultImage: 'node', scriptFile: 'script.js', runScript: (f) => `node ${f}` };
