// esbuild bundles the style sheet imported by main.tsx into its own hashed file.
declare module '*.css';
